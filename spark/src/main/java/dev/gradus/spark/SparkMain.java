package dev.gradus.spark;

import dev.gradus.cli.Main;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code gradus-spark} command: {@code gradus-spark train …} trains on Apache Spark with
 * the options, checks, messages and exit codes of {@code gradus train}; {@code predict} and
 * {@code evaluate} are {@code gradus predict} and {@code gradus evaluate} with the rows read,
 * predicted and scored on the executors ({@link SparkPrediction}, {@link SparkEvaluation}). Also
 * the main class for {@code spark-submit}.
 */
@Command(name = "gradus-spark", mixinStandardHelpOptions = true,
        description = "Train, predict and evaluate Gradus networks on Apache Spark.",
        subcommands = {SparkTrainCommand.class, CommandLine.HelpCommand.class})
public final class SparkMain implements Runnable {

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Show stack traces of errors.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand (train, predict, evaluate)");
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command with these streams and returns its exit code (0, 1 failure, 2 usage). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        SparkMain main = new SparkMain();
        return Main.run(main, SparkMain::addScoringCommands, () -> main.verbose, args, out, err);
    }

    /**
     * {@code predict} and {@code evaluate}: gradus's own commands (the same flags, checks,
     * columns, metrics and JSON) on a Spark backend, whose flags ({@code --master},
     * {@code --format}, …) are mixed in.
     */
    private static void addScoringCommands(CommandLine cli) {
        SparkPrediction prediction = new SparkPrediction();
        CommandLine predict = new CommandLine(new dev.gradus.cli.PredictCommand(prediction));
        predict.addMixin("spark", prediction);
        predict.getCommandSpec().usageMessage().description("Predict each row of --data on Spark's executors and "
                + "write the records with Spark into the folder --out (CSV, Parquet, JSON or ORC): the --id column if "
                + "given, then 'prediction' (the class label) and one score column per class, or one column per "
                + "regression target.");
        SparkEvaluation evaluation = new SparkEvaluation();
        CommandLine evaluate = new CommandLine(new dev.gradus.cli.EvaluateCommand(evaluation));
        evaluate.addMixin("spark", evaluation);
        evaluate.getCommandSpec().usageMessage().description("Score a model on labelled data read and predicted on "
                + "Spark's executors: the metrics of 'gradus evaluate' (accuracy, precision, recall, F1, the confusion "
                + "matrix; RMSE, MAE and R²).");
        cli.addSubcommand("predict", predict);
        cli.addSubcommand("evaluate", evaluate);
    }
}
