package dev.gradus.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

/** Runs the real {@code gradus} entry point in-process and captures its streams. */
record Cli(int code, String out, String err) {
    static final Path DATA = Path.of("data").toAbsolutePath().normalize();

    static Cli run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Cli(code, out.toString(), err.toString());
    }

    static String data(String name) {
        return DATA.resolve(name).toString();
    }

    @Override
    public String toString() {
        return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
