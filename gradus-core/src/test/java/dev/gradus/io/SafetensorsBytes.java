package dev.gradus.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Test-side surgery on safetensors bytes, written independently of {@link ModelFile}: split a
 * file into its header text and data section, and put edited parts back together.
 */
final class SafetensorsBytes {
    final String header;
    final byte[] data;

    SafetensorsBytes(String header, byte[] data) {
        this.header = header;
        this.data = data;
    }

    /** Splits at the 8-byte little-endian length; the header text keeps its padding spaces. */
    static SafetensorsBytes split(byte[] file) {
        long h = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(file, 8, (int) h, StandardCharsets.UTF_8);
        byte[] data = Arrays.copyOfRange(file, 8 + (int) h, file.length);
        return new SafetensorsBytes(header, data);
    }

    /** The header text with one literal replacement, which must occur. */
    SafetensorsBytes replace(String from, String to) {
        if (!header.contains(from)) {
            throw new AssertionError("header has no '" + from + "': " + header);
        }
        return new SafetensorsBytes(header.replace(from, to), data);
    }

    SafetensorsBytes withData(byte[] newData) {
        return new SafetensorsBytes(header, newData);
    }

    /** Length, header (trailing spaces trimmed, re-padded to a multiple of 8), data. */
    byte[] assemble() {
        byte[] h = header.stripTrailing().getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        ByteBuffer out = ByteBuffer.allocate(8 + padded + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(h);
        for (int i = h.length; i < padded; i++) {
            out.put((byte) ' ');
        }
        return out.put(data).array();
    }

    /** {@code file} with its first 8 bytes replaced by {@code length} (little-endian). */
    static byte[] withHeaderLength(byte[] file, long length) {
        byte[] out = file.clone();
        ByteBuffer.wrap(out, 0, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(length);
        return out;
    }
}
