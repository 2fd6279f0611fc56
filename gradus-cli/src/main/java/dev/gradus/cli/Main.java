package dev.gradus.cli;

/** The {@code gradus} command. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(0);
    }
}
