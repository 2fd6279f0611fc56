package dev.gradus.cli;

import java.util.List;
import picocli.CommandLine;

/** Usage-error messages that name the unknown flag or command and suggest the nearest ones. */
final class Suggestions {
    private Suggestions() {}

    /**
     * The message for a usage error: for an unknown option or subcommand, e.g.
     * {@code unknown option '--activaton'; did you mean '--activation'?}, with picocli's
     * suggestions (names that share a prefix or are a few edits away); else picocli's message.
     */
    static String message(CommandLine.ParameterException e) {
        if (!(e instanceof CommandLine.UnmatchedArgumentException u) || u.getUnmatched().isEmpty()) {
            return e.getMessage();
        }
        String first = u.getUnmatched().get(0);
        boolean option = first.startsWith("-");
        boolean command = !option && !u.getCommandLine().getSubcommands().isEmpty();
        String what = option ? "unknown option '" + first + "'"
                : command ? "unknown command '" + first + "'" : "unexpected argument '" + first + "'";
        List<String> suggestions = u.getSuggestions().stream().filter(s -> !s.equals(first)).distinct().limit(3)
                .toList();
        if (suggestions.isEmpty()) {
            return e.getMessage();
        }
        return what + "; did you mean " + String.join(" or ", suggestions.stream().map(s -> "'" + s + "'").toList())
                + "?";
    }
}
