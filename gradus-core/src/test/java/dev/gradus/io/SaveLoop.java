package dev.gradus.io;

import dev.gradus.nn.Activation;
import dev.gradus.nn.Network;
import java.nio.file.Path;
import java.util.Map;

/**
 * A child process for {@link ModelFileKillDuringSaveTest}: saves two large models in turn to
 * one file, forever, printing {@code saved i} after each save, until it is killed.
 */
public final class SaveLoop {
    private SaveLoop() {
    }

    /** The model saved as the {@code i}-th save: seeds 1 and 2 alternate. */
    static Network model(int i) {
        return Network.input(500).dense(1500, Activation.TANH).dense(1000, Activation.IDENTITY).build(1 + i % 2);
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        Network[] models = {model(0), model(1)};
        for (int i = 0; ; i++) {
            ModelFile.write(file, models[i % 2], Map.of("save", Integer.toString(i % 2)));
            System.out.println("saved " + i);
            System.out.flush();
        }
    }
}
