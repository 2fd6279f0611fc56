package dev.gradus.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.nn.Activation;
import dev.gradus.nn.Network;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each way a model file can be broken gives a {@link ModelFileException} that names the file
 * and the problem. The valid starting point is a 2 → 3 → 1 network, whose tensors are
 * W⁰ [3,2] at data bytes [0,24), b⁰ [3] at [24,36), W¹ [1,3] at [36,48), b¹ [1] at [48,52).
 */
class ModelFileValidationTest {

    @TempDir
    Path dir;

    private byte[] valid;
    private SafetensorsBytes parts;

    @BeforeEach
    void writeValidModel() throws IOException {
        Network net = Network.input(2).dense(3, Activation.RELU).dense(1, Activation.IDENTITY).build(1);
        Path file = dir.resolve("valid.safetensors");
        ModelFile.write(file, net, Map.of("loss", "mse"));
        valid = Files.readAllBytes(file);
        parts = SafetensorsBytes.split(valid);
        // The starting point must load, or every test below would pass for the wrong reason.
        ModelFile.read(file);
        assertEquals(52, parts.data.length);
    }

    /** Writes {@code content}, reads it, and checks the exception names the file and each fragment. */
    private ModelFileException bad(byte[] content, String... fragments) throws IOException {
        Path file = dir.resolve("bad.safetensors");
        Files.write(file, content);
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFile.read(file));
        String message = e.getMessage();
        assertTrue(message.startsWith(file.toString() + ": "), "message must start with the file: " + message);
        assertEquals(file, e.file());
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment), "message lacks '" + fragment + "': " + message);
        }
        return e;
    }

    private ModelFileException badHeader(String from, String to, String... fragments) throws IOException {
        return bad(parts.replace(from, to).assemble(), fragments);
    }

    private int headerLength() {
        return valid.length - 8 - parts.data.length;
    }

    // --- size, length prefix, truncation ------------------------------------------------------

    @Test
    void emptyFile() throws IOException {
        bad(new byte[0], "the file is empty");
    }

    @Test
    void shorterThanTheLengthPrefix() throws IOException {
        bad(Arrays.copyOf(valid, 5), "only 5 bytes");
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 9, 100, -1})
    void truncatedInsideTheHeader(int cut) throws IOException {
        int length = cut >= 0 ? cut : 8 + headerLength() - 1;
        ModelFileException e = bad(Arrays.copyOf(valid, length), "truncated",
                "ends at byte " + (8 + headerLength()), "only " + length + " bytes");
        assertEquals(0, e.byteOffset().getAsLong());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4, 30, 51})
    void truncatedInsideTheData(int dataBytesKept) throws IOException {
        int length = 8 + headerLength() + dataBytesKept;
        bad(Arrays.copyOf(valid, length), "truncated", "should be " + valid.length + " bytes",
                "but it is " + length + " bytes");
    }

    @Test
    void bytesAfterTheData() throws IOException {
        bad(Arrays.copyOf(valid, valid.length + 4), "4 bytes after the data section");
    }

    @Test
    void hugeHeaderLength() throws IOException {
        ModelFileException e = bad(SafetensorsBytes.withHeaderLength(valid, 1L << 40), "header length 1099511627776",
                "more than the limit", "not a Gradus model file");
        assertEquals(0, e.byteOffset().getAsLong());
        // As an unsigned 64-bit number, all ones is 2⁶⁴ − 1, not −1.
        bad(SafetensorsBytes.withHeaderLength(valid, -1L), "18446744073709551615");
    }

    @Test
    void headerLengthBeyondTheFile() throws IOException {
        bad(SafetensorsBytes.withHeaderLength(valid, valid.length), "truncated", "only " + valid.length + " bytes");
    }

    @Test
    void headerLengthTooShortForJson() throws IOException {
        bad(SafetensorsBytes.withHeaderLength(valid, 1), "too short");
    }

    // --- JSON ---------------------------------------------------------------------------------

    @Test
    void malformedJsonReportsItsByteOffset() throws IOException {
        SafetensorsBytes broken = parts.replace("\"dtype\":\"F32\"", "\"dtype\":F32\"");
        byte[] file = broken.assemble();
        ModelFileException e = bad(file, "not valid JSON");
        // The offending token F32" starts right after the first "dtype": in the file. The JSON
        // parser reports where it stopped reading, which lies within that token or just after it.
        long start = 8 + broken.header.indexOf("\"dtype\":F32") + "\"dtype\":".length();
        assertEquals('F', (char) file[(int) start]);
        long reported = e.byteOffset().getAsLong();
        assertTrue(reported >= start && reported <= start + "F32\"".length(), "reported byte " + reported
                + " for a token at " + start);
    }

    @Test
    void headerThatIsNotAnObject() throws IOException {
        bad(new SafetensorsBytes("[1, 2, 3]", parts.data).assemble(), "does not start with '{'");
    }

    @Test
    void textAfterTheHeaderObject() throws IOException {
        bad(new SafetensorsBytes(parts.header.stripTrailing() + " {}", parts.data).assemble(),
                "after the header's JSON object");
    }

    @Test
    void invalidUtf8InTheHeader() throws IOException {
        byte[] file = valid.clone();
        int at = 8 + parts.header.indexOf("mse");
        file[at] = (byte) 0xff;
        ModelFileException e = bad(file, "not valid JSON", "UTF-8");
        // The parser reports the byte it stopped at: the bad byte or the one after it.
        long reported = e.byteOffset().getAsLong();
        assertTrue(reported == at || reported == at + 1, "reported byte " + reported + " for a bad byte at " + at);
    }

    @Test
    void duplicateTensorName() throws IOException {
        String entry = "\"layers.1.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[48,52]}";
        badHeader(entry, entry + "," + entry, "not valid JSON", "layers.1.bias");
    }

    @Test
    void metadataValueThatIsNotAString() throws IOException {
        badHeader("\"loss\":\"mse\"", "\"loss\":{\"name\":\"mse\"}", "must be a string", "__metadata__.loss");
    }

    // --- tensor entries -----------------------------------------------------------------------

    @Test
    void wrongDtype() throws IOException {
        ModelFileException e = badHeader("\"dtype\":\"F32\",\"shape\":[3],", "\"dtype\":\"F16\",\"shape\":[3],",
                "dtype is F16", "F32 tensors only");
        assertEquals("layers.0.bias.dtype", e.field().orElseThrow());
        assertTrue(e.byteOffset().isPresent());
    }

    @Test
    void offsetsThatDisagreeWithTheShape() throws IOException {
        badHeader("[24,36]", "[24,40]", "span 16 bytes", "needs 12", "layers.0.bias.data_offsets");
    }

    @Test
    void offsetsThatEndBeforeTheyBegin() throws IOException {
        badHeader("[24,36]", "[36,24]", "end before they begin");
    }

    @Test
    void negativeOffset() throws IOException {
        badHeader("[24,36]", "[-12,0]", "must not be negative");
    }

    @Test
    void offsetTooLargeForALong() throws IOException {
        badHeader("[24,36]", "[24,99999999999999999999]", "too large");
    }

    @Test
    void fractionalShape() throws IOException {
        badHeader("\"shape\":[3]", "\"shape\":[3.0]", "must hold integers");
    }

    @Test
    void zeroDimension() throws IOException {
        badHeader("\"shape\":[3,2]", "\"shape\":[3,0]", "dimension 0", "layers.0.weight.shape");
    }

    @Test
    void rankThree() throws IOException {
        badHeader("\"shape\":[3,2]", "\"shape\":[3,2,1]", "more than 2 entries");
    }

    @Test
    void shapeWhoseSizeOverflows() throws IOException {
        badHeader("\"shape\":[3,2]", "\"shape\":[2147483647,2147483647]", "too large");
    }

    @Test
    void missingField() throws IOException {
        badHeader("\"dtype\":\"F32\",\"shape\":[3],", "\"shape\":[3],", "no dtype", "layers.0.bias");
    }

    @Test
    void unknownFieldInATensorEntry() throws IOException {
        badHeader("\"shape\":[3],", "\"shape\":[3],\"strides\":[1],", "unknown field", "layers.0.bias.strides");
    }

    // --- offsets as a whole -------------------------------------------------------------------

    @Test
    void overlappingOffsets() throws IOException {
        badHeader("[24,36]", "[20,32]", "overlap", "layers.0.weight");
    }

    @Test
    void gapBetweenTensors() throws IOException {
        SafetensorsBytes gap = parts.replace("[36,48]", "[40,52]").replace("[48,52]", "[52,56]")
                .withData(Arrays.copyOf(parts.data, 56));
        bad(gap.assemble(), "gap", "[36, 40)", "layers.1.weight");
    }

    @Test
    void hugeTensorInASmallFileIsRefusedWithoutAllocating() throws IOException {
        // 4·10⁸ floats (1.6 GB) claimed by a file of a few hundred bytes: the size check, not
        // the allocator, must answer.
        SafetensorsBytes huge = parts
                .replace("\"shape\":[3,2],\"data_offsets\":[0,24]",
                        "\"shape\":[3,200000000],\"data_offsets\":[0,2400000000]")
                .replace("[24,36]", "[2400000000,2400000012]")
                .replace("\"shape\":[1,3],\"data_offsets\":[36,48]",
                        "\"shape\":[1,3],\"data_offsets\":[2400000012,2400000024]")
                .replace("[48,52]", "[2400000024,2400000028]");
        bad(huge.assemble(), "truncated", "should be");
    }

    // --- names and shapes as a network --------------------------------------------------------

    private static final String BIAS_1 =
            ",\"layers.1.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[48,52]}";

    @Test
    void missingBias() throws IOException {
        badHeader(BIAS_1, "", "missing tensor layers.1.bias");
    }

    @Test
    void missingWeight() throws IOException {
        badHeader("\"layers.0.weight\"", "\"layers.9.weight\"", "missing tensor layers.0.weight");
    }

    @Test
    void extraTensorOfAnotherName() throws IOException {
        badHeader(BIAS_1, BIAS_1 + ",\"optimizer.state\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[52,56]}",
                "unexpected tensor 'optimizer.state'");
    }

    @Test
    void extraBiasWithoutWeight() throws IOException {
        badHeader(BIAS_1, BIAS_1 + ",\"layers.2.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[52,56]}",
                "unexpected tensor 'layers.2.bias'", "no layers.2.weight");
    }

    @Test
    void biasLengthDisagreesWithWeights() throws IOException {
        // W¹ [1,3] → [3,1] keeps its byte count, so only the bias check can object.
        badHeader("\"shape\":[1,3]", "\"shape\":[3,1]", "layers.1.bias.shape", "must be [3]");
    }

    @Test
    void layersThatDoNotChain() throws IOException {
        SafetensorsBytes chain = parts.replace("\"shape\":[1,3],\"data_offsets\":[36,48]",
                        "\"shape\":[1,4],\"data_offsets\":[36,52]")
                .replace("[48,52]", "[52,56]")
                .withData(Arrays.copyOf(parts.data, 56));
        bad(chain.assemble(), "layers.1.weight.shape", "reads 4 inputs", "writes 3");
    }

    @Test
    void weightOfRankOne() throws IOException {
        badHeader("\"shape\":[3,2]", "\"shape\":[6]", "must be [outputs, inputs]");
    }

    // --- metadata -----------------------------------------------------------------------------

    @Test
    void flippedDataByteFailsTheChecksum() throws IOException {
        byte[] file = valid.clone();
        file[file.length - 30] ^= 0x10;
        ModelFileException e = bad(file, "data checksum mismatch (file is corrupted)");
        assertEquals("__metadata__.data_sha256", e.field().orElseThrow());
    }

    @Test
    void missingChecksum() throws IOException {
        String header = parts.header;
        String sha = header.substring(header.indexOf(",\"data_sha256\""), header.indexOf(",\"loss\""));
        badHeader(sha, "", "no data_sha256");
    }

    @Test
    void newerFormatVersionIsRefused() throws IOException {
        badHeader("\"format_version\":\"1\"", "\"format_version\":\"999\"", "format version 999",
                "reads format version " + ModelFile.FORMAT_VERSION);
    }

    @Test
    void newerFormatVersionIsRefusedEvenWhenItsTensorsAreUnknownHere() throws IOException {
        String next = Integer.toString(ModelFile.FORMAT_VERSION + 1);
        SafetensorsBytes newer = parts.replace("\"format_version\":\"1\"", "\"format_version\":\"" + next + "\"")
                .replace("\"dtype\":\"F32\",\"shape\":[3],", "\"dtype\":\"BF16\",\"shape\":[3],\"quantized\":true,");
        bad(newer.assemble(), "format version " + next, "reads format version " + ModelFile.FORMAT_VERSION);
        badHeader("\"format_version\":\"1\"", "\"format_version\":\"99999999999999999999\"",
                "reads format version " + ModelFile.FORMAT_VERSION);
    }

    @Test
    void formatVersionThatIsNotAVersion() throws IOException {
        badHeader("\"format_version\":\"1\"", "\"format_version\":\"one\"", "not a whole number");
        badHeader("\"format_version\":\"1\"", "\"format_version\":\"0\"", "does not exist");
    }

    @Test
    void csvFileIsNotAModel() throws IOException {
        bad("sepal_length,sepal_width,species\n5.1,3.5,setosa\n".getBytes(StandardCharsets.UTF_8),
                "not a Gradus model file");
    }

    @Test
    void plainSafetensorsWithoutMetadataIsNotAGradusModel() throws IOException {
        bad(new SafetensorsBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4])
                .assemble(), "no __metadata__", "not a Gradus model");
    }

    @Test
    void otherFormat() throws IOException {
        badHeader("\"format\":\"gradus\"", "\"format\":\"numpy\"", "format is 'numpy'", "not a Gradus model");
        badHeader("\"format\":\"gradus\",", "", "no 'format' entry");
    }

    @Test
    void activationsOfTheWrongCount() throws IOException {
        badHeader("[\\\"relu\\\",\\\"identity\\\"]", "[\\\"relu\\\"]", "lists 1 activations for 2 layers");
        badHeader("[\\\"relu\\\",\\\"identity\\\"]", "[\\\"relu\\\",\\\"relu\\\",\\\"relu\\\"]", "more activations");
    }

    @Test
    void unknownActivation() throws IOException {
        badHeader("\\\"identity\\\"", "\\\"swish\\\"", "layer 1", "unknown activation 'swish'");
    }

    @Test
    void activationsThatAreNotJson() throws IOException {
        badHeader("[\\\"relu\\\",\\\"identity\\\"]", "[relu, identity]", "__metadata__.activations", "not valid JSON");
        badHeader("[\\\"relu\\\",\\\"identity\\\"]", "{}", "must be a JSON array");
    }

    @Test
    void folderIsNotAModel() throws IOException {
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFile.read(dir));
        assertTrue(e.getMessage().startsWith(dir + ": "), e.getMessage());
    }
}
