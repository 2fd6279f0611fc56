package dev.gradus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to a real {@code gradus serve} process (the CLI's main class in a child JVM, as the
 * launcher runs it): a request in flight — its body still arriving — is answered in full, new
 * connections are refused, and the process exits 0.
 */
class ServeSigtermTest {
    @TempDir
    Path dir;

    @Test
    void sigtermFinishesTheRequestInFlightAndExitsZero() throws Exception {
        Path model = dir.resolve("wine.gradus");
        ServeTest.train(Cli.data("wine_train.csv"), model, "1");
        Path csv = dir.resolve("three.csv");
        StringBuilder text = new StringBuilder(ServeTest.HEADER).append('\n');
        ServeTest.testRows(3).forEach(r -> text.append(String.join(",", r)).append('\n'));
        Files.writeString(csv, text);
        String expected = ServeTest.expectedFromPredict(model, csv.toString());

        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "serve", "--model", model.toString(), "--port", "0", "--threads", "2");
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        StringBuilder output = new StringBuilder();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8));
            int port = -1;
            Pattern listening = Pattern.compile("on http://127\\.0\\.0\\.1:(\\d+) ");
            for (String line; port < 0 && (line = lines.readLine()) != null; ) {
                output.append(line).append('\n');
                Matcher m = listening.matcher(line);
                if (m.find()) {
                    port = Integer.parseInt(m.group(1));
                }
            }
            assertTrue(port > 0, "the server did not start:\n" + output);
            Thread drain = new Thread(() -> {
                try {
                    for (String line; (line = lines.readLine()) != null; ) {
                        synchronized (output) {
                            output.append(line).append('\n');
                        }
                    }
                } catch (IOException e) {
                    // the child is gone
                }
            });
            drain.start();

            // A request whose body arrives in two parts, the second only after SIGTERM.
            byte[] body = text.toString().getBytes(StandardCharsets.UTF_8);
            CountDownLatch released = new CountDownLatch(1);
            InputStream slow = new InputStream() {
                int next;

                @Override
                public int read() throws IOException {
                    if (next == body.length / 2) {
                        try {
                            released.await();
                        } catch (InterruptedException e) {
                            throw new IOException(e);
                        }
                    }
                    return next < body.length ? body[next++] & 0xff : -1;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int c = read();
                    if (c < 0) {
                        return -1;
                    }
                    b[off] = (byte) c;
                    return 1;
                }
            };
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            URI uri = URI.create("http://127.0.0.1:" + port + "/invocations");
            CompletableFuture<HttpResponse<String>> inFlight = http.sendAsync(HttpRequest.newBuilder(uri)
                    .header("Content-Type", "text/csv").POST(HttpRequest.BodyPublishers.ofInputStream(() -> slow))
                    .build(), HttpResponse.BodyHandlers.ofString());
            Thread.sleep(1500);                       // the headers and half the body have arrived
            assertTrue(child.isAlive());
            child.toHandle().destroy();               // SIGTERM (Process.destroy would also close our end of its output)
            Thread.sleep(500);
            HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            assertThrows(ConnectException.class, () -> fresh.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + uri.getPort() + "/ping")).build(),
                    HttpResponse.BodyHandlers.ofString()), "a stopping server accepts no new connection");
            released.countDown();
            HttpResponse<String> answer = inFlight.get(30, TimeUnit.SECONDS);
            assertEquals(200, answer.statusCode(), answer.body());
            assertEquals(expected, answer.body());
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the server did not exit");
            drain.join(5000);
            synchronized (output) {
                assertEquals(0, child.exitValue(), output::toString);
                assertTrue(output.toString().contains("gradus serve: stopped"), output.toString());
            }
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }
    }
}
