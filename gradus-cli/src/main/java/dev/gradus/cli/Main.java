package dev.gradus.cli;

import dev.gradus.data.DataException;
import dev.gradus.train.TrainingDivergedException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code gradus} command. */
@Command(name = "gradus",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Feed-forward neural networks trained by backpropagation.")
public final class Main implements Runnable {
    /**
     * The subcommands, in the order help lists them. They are added by {@link #subcommands}, not
     * by the annotation: picocli reads every option of every subcommand by reflection when it
     * builds the model (~0.1 s of a start), and a run needs only the one it names.
     */
    private static final Class<?>[] SUBCOMMANDS = {TrainCommand.class, CvCommand.class, TuneCommand.class,
        EvaluateCommand.class, PredictCommand.class, InspectCommand.class, ExportCommand.class, ImportCommand.class,
        DemoCommand.class, BenchCommand.class, ServeCommand.class, CommandLine.HelpCommand.class};

    static final int OK = 0;
    static final int FAILURE = 1;
    static final int USAGE = 2;

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Show stack traces of errors.")
    boolean verbose;

    @picocli.CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand (train, cv, tune, evaluate, "
                + "predict, inspect, export, import, demo, bench, serve)");
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command with these streams and returns its exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        Main main = new Main();
        return run(main, () -> main.verbose, args, out, err);
    }

    /**
     * Runs {@code command} (a picocli command object) with gradus's error handling: exit 2 for
     * usage errors, 1 for data and runtime failures, one line on {@code err} and a stack trace
     * only when {@code verbose} says so. Other launchers ({@code gradus-spark}) use it too.
     */
    public static int run(Object command, java.util.function.BooleanSupplier verbose, String[] args, PrintWriter out,
                          PrintWriter err) {
        return run(command, cli -> { }, verbose, args, out, err);
    }

    /**
     * As {@link #run(Object, java.util.function.BooleanSupplier, String[], PrintWriter, PrintWriter)},
     * with {@code setup} given the command line first (e.g. to add subcommand objects).
     */
    public static int run(Object command, java.util.function.Consumer<CommandLine> setup,
                          java.util.function.BooleanSupplier verbose, String[] args, PrintWriter out, PrintWriter err) {
        System.setProperty("java.awt.headless", "true");   // plots are drawn without a display
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            // The library's notices (System.Logger, java.util.logging by default) as one plain line.
            System.setProperty("java.util.logging.SimpleFormatter.format", "gradus: %5$s%n");
        }
        CommandLine cli = new CommandLine(command);
        if (command instanceof Main) {
            subcommands(cli, args);
        }
        setup.accept(cli);
        DeferredOut held = DeferredOut.over(out);   // stdout only from a command that succeeds
        cli.setOut(held);
        cli.setErr(err);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setParameterExceptionHandler((e, a) -> {
            err.println("gradus: " + Suggestions.message(e));
            CommandLine c = e.getCommandLine();
            err.println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
            err.flush();
            return USAGE;
        });
        cli.setExecutionExceptionHandler((e, c, p) -> {
            int code = exitCode(e);
            // One line: a cell quoted across lines must not break the message.
            err.println("gradus: " + message(e).replace("\r", "\\r").replace("\n", "\\n"));
            if (verbose.getAsBoolean() || hasVerboseFlag(args)) {
                e.printStackTrace(err);
            }
            err.flush();
            return code;
        });
        int code;
        try {
            code = cli.execute(args);
        } catch (OutOfMemoryError e) {
            // The stack has unwound, so the large arrays are garbage again and this line can be printed.
            err.println("gradus: " + outOfMemory());
            err.flush();
            return FAILURE;
        }
        if (code == OK) {
            held.commit();
        }
        out.flush();
        err.flush();
        return code;
    }

    /**
     * Adds to {@code cli} the subcommand that {@code args} starts with, or all of them when the
     * first argument names none (an option, a typo, {@code help}, nothing): usage help and
     * suggestions then see every subcommand.
     */
    private static void subcommands(CommandLine cli, String[] args) {
        String first = args.length == 0 ? "" : args[0];
        for (Class<?> c : SUBCOMMANDS) {
            if (c != CommandLine.HelpCommand.class && c.getAnnotation(Command.class).name().equals(first)) {
                cli.addSubcommand(c);
                return;
            }
        }
        for (Class<?> c : SUBCOMMANDS) {
            cli.addSubcommand(c);
        }
    }

    private static boolean hasVerboseFlag(String[] args) {
        for (String a : args) {
            if (a.equals("--verbose")) {
                return true;
            }
        }
        return false;
    }

    private static int exitCode(Throwable e) {
        if (e instanceof UsageException || e instanceof IllegalArgumentException) {
            return USAGE;
        }
        return FAILURE;
    }

    private static String message(Throwable e) {
        if (e instanceof DataException || e instanceof UsageException || e instanceof TrainingDivergedException
                || e instanceof IllegalArgumentException) {
            return e.getMessage();
        }
        if (e instanceof UncheckedIOException u) {
            return u.getCause().getMessage();
        }
        if (e instanceof java.nio.file.NoSuchFileException n) {
            return n.getFile() + ": file not found";
        }
        if (e instanceof java.nio.file.AccessDeniedException a) {
            return a.getFile() + ": permission denied";
        }
        if (e instanceof IOException) {
            return e.getMessage();
        }
        if (e instanceof OutOfMemoryError) {
            return outOfMemory();
        }
        return "internal error: " + e + " (run with --verbose for the stack trace)";
    }

    /** One line for running out of memory: the input being worked on, the heap it had, how to give more. */
    static String outOfMemory() {
        long mb = Runtime.getRuntime().maxMemory() >> 20;
        long suggest = Math.max(1, Long.highestOneBit(Math.max(1, mb * 4 / 1024)));
        java.nio.file.Path input = Inputs.lastInput;
        return "out of memory" + (input == null ? "" : " working on " + input) + " with a " + mb + " MB Java heap; "
                + "give it more, for example JAVA_OPTS=-Xmx" + suggest + "g"
                + (Inputs.streamable ? ", or train with --stream (rows read from a disk cache)" : "")
                + " (nothing was written)";
    }

    /** The version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"gradus " + dev.gradus.io.ModelFile.gradusVersion()};
        }
    }
}
