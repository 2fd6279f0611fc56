package dev.gradus.cli;

import java.io.PrintWriter;
import java.io.Writer;

/**
 * Standard output that reaches the user only when the command succeeds: a command that fails
 * half way prints its error on stderr and nothing on stdout, so a script never reads a partial
 * result. A command whose output is large and complete once it starts writing (predict's rows)
 * calls {@link #streamFromNow()}; so does one whose lines are worth seeing as they come (bench).
 */
final class DeferredOut extends PrintWriter {
    private final Held held;

    private DeferredOut(Held held) {
        super(held, false);
        this.held = held;
    }

    /** Holds what is written until {@link #commit()}, then passes everything to {@code out}. */
    static DeferredOut over(Writer out) {
        return new DeferredOut(new Held(out));
    }

    /** Delivers what is held and passes everything written from now on straight through. */
    void streamFromNow() {
        flush();
        held.commit();
    }

    /** The command succeeded: delivers what is held. */
    void commit() {
        streamFromNow();
    }

    /** Switches {@code out} to streaming when it is a {@link DeferredOut}. */
    static void stream(PrintWriter out) {
        if (out instanceof DeferredOut d) {
            d.streamFromNow();
        }
    }

    private static final class Held extends Writer {
        private final Writer out;
        private StringBuilder held = new StringBuilder();

        Held(Writer out) {
            this.out = out;
        }

        void commit() {
            if (held != null) {
                try {
                    out.write(held.toString());
                    out.flush();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                held = null;
            }
        }

        @Override
        public void write(char[] c, int off, int len) throws java.io.IOException {
            if (held != null) {
                held.append(c, off, len);
            } else {
                out.write(c, off, len);
            }
        }

        @Override
        public void flush() throws java.io.IOException {
            if (held == null) {
                out.flush();
            }
        }

        @Override
        public void close() throws java.io.IOException {
            flush();
        }
    }
}
