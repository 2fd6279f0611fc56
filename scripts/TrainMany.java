import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Runs many gradus command lines in one JVM (warm, no start-up per run), for the comparison
 * scripts: reads one command per line on stdin (arguments separated by tabs) and prints, per
 * command, one line "EXIT_CODE TAB base64(stdout) TAB base64(stderr)". Each command runs exactly
 * as `gradus ARGS` would (dev.gradus.cli.Main.run); models are seeded, so results equal separate
 * runs. Run with: java --add-modules jdk.incubator.vector -cp gradus.jar scripts/TrainMany.java
 */
public class TrainMany {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintWriter reply = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        Base64.Encoder b64 = Base64.getEncoder();
        for (String line; (line = in.readLine()) != null; ) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code;
            try {
                code = dev.gradus.cli.Main.run(line.split("\t"), new PrintWriter(out), new PrintWriter(err));
            } catch (RuntimeException | Error e) {
                code = 99;
                err.write(e.toString());
            }
            reply.println(code + "\t" + b64.encodeToString(out.toString().getBytes(StandardCharsets.UTF_8)) + "\t"
                    + b64.encodeToString(err.toString().getBytes(StandardCharsets.UTF_8)));
        }
    }
}
