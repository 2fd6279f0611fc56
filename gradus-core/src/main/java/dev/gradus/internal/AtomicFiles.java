package dev.gradus.internal;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file so that readers see either the old content or the complete new one: write a
 * temporary file in the same folder, flush and sync it, rename it over the target, sync the
 * folder. A failure at any point leaves the target as it was and removes the temporary file.
 *
 * <pre>{@code
 * AtomicFiles.write(Path.of("predictions.csv"), out -> out.write(bytes));
 * }</pre>
 *
 * <p>Gradus's model and checkpoint files, and the command line's predictions and plots, are
 * written through it.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Writes the content to a stream. */
    @FunctionalInterface
    public interface Content {
        /** Writes the whole content to {@code out}, which the caller flushes and closes. */
        void writeTo(OutputStream out) throws IOException;
    }

    /** Replaces {@code path} atomically with what {@code content} writes. */
    public static void write(Path path, Content content) throws IOException {
        write(path, content, BeforeRename.NONE);
    }

    /** Called between writing the complete temporary file and renaming it over the target (tests inject failures). */
    @FunctionalInterface
    public interface BeforeRename {
        BeforeRename NONE = temporary -> { };

        void run(Path temporary) throws IOException;
    }

    /** As {@link #write(Path, Content)}, running {@code beforeRename} just before the rename. */
    public static void write(Path path, Content content, BeforeRename beforeRename) throws IOException {
        Path target = path.toAbsolutePath();
        Path folder = target.getParent();
        Path temporary = createTemporary(folder, target.getFileName().toString());
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
                content.writeTo(out);
                out.flush();
                channel.force(true);
            }
            beforeRename.run(temporary);
            // On POSIX a rename within one folder replaces the target atomically.
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException | Error e) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        syncFolder(folder);
    }

    /**
     * A new empty file {@code .<name>.<random>.tmp} in {@code folder}, created with the default
     * permissions (so the umask applies, as for any new file).
     */
    private static Path createTemporary(Path folder, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong());
            Path temporary = folder.resolve("." + name + "." + suffix + ".tmp");
            try {
                Files.newByteChannel(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return temporary;
            } catch (FileAlreadyExistsException e) {
                if (attempt == 9) {
                    throw e;
                }
            }
        }
    }

    /** Makes the rename itself durable where the platform can sync a folder. */
    private static void syncFolder(Path folder) {
        try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // Some platforms (Windows) cannot open a folder; the file is complete and renamed
            // atomically already, only its survival of a power cut right now is at stake.
        }
    }
}
