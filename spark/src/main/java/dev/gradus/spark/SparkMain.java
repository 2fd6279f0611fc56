package dev.gradus.spark;

import dev.gradus.cli.Main;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code gradus-spark} command: {@code gradus-spark train …} trains on Apache Spark with
 * the options, checks, messages and exit codes of {@code gradus train}. Also the main class
 * for {@code spark-submit}.
 */
@Command(name = "gradus-spark", mixinStandardHelpOptions = true,
        description = "Train Gradus networks on Apache Spark.",
        subcommands = {SparkTrainCommand.class, CommandLine.HelpCommand.class})
public final class SparkMain implements Runnable {

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Show stack traces of errors.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand (train)");
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command with these streams and returns its exit code (0, 1 failure, 2 usage). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        SparkMain main = new SparkMain();
        return Main.run(main, () -> main.verbose, args, out, err);
    }
}
