package dev.gradus.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.gradus.tensor.Matrix;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/** Evaluates an ONNX file with ONNX Runtime (the reference implementation), on one thread. */
final class OrtRunner {
    private OrtRunner() {
    }

    /** The graph's one output for {@code x} fed to the input named {@code input}. */
    static Matrix run(Path file, String input, Matrix x) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            try (OrtSession session = env.createSession(file.toString(), options);
                 OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.copy().data()),
                         new long[] {x.rows(), x.cols()});
                 OrtSession.Result result = session.run(Map.of(input, tensor))) {
                float[][] out = (float[][]) result.get(0).getValue();
                Matrix m = Matrix.zeros(out.length, out.length == 0 ? 0 : out[0].length);
                for (int i = 0; i < out.length; i++) {
                    System.arraycopy(out[i], 0, m.data(), i * m.cols(), m.cols());
                }
                return m;
            }
        }
    }

    /** The name of the graph's one output as ONNX Runtime sees it. */
    static String outputName(Path file) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(file.toString(), new OrtSession.SessionOptions())) {
            return session.getOutputNames().iterator().next();
        }
    }
}
