package org.picilab.model.train;

import ai.djl.Device;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.picilab.model.config.ConfigLoader;
import org.picilab.model.config.RunConfig;
import org.picilab.model.data.Datasets;
import org.picilab.model.data.ImageDataset;

/** Small configurations and data for training tests: a few seconds each on two cores. */
final class TrainingFixtures {

  static final String DATA = "shapes:4:16";

  private TrainingFixtures() {}

  static RunConfig tiny(String... overrides) {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("batchSize", "16");
    o.put("epochs.pretrain", "1");
    o.put("epochs.train", "2");
    o.put("epochs.boost", "2");
    o.put("cliRestarts", "2");
    o.put("evalBatchSize", "32");
    for (String kv : overrides) {
      int eq = kv.indexOf('=');
      o.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    return ConfigLoader.load("tiny", null, o);
  }

  static ImageDataset data(RunConfig config) {
    return Datasets.load(DATA, config.imageSize());
  }

  static TrainingRun newRun(RunConfig config, ImageDataset data) {
    return TrainingRun.create(config, DATA, data, Device.cpu());
  }

  static byte[] encode(TrainingRun run) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      CheckpointCodec.write(run.snapshot(), out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Snapshot decode(byte[] bytes) {
    try {
      return CheckpointCodec.read(new ByteArrayInputStream(bytes));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The largest absolute difference between two runs' weights, relative to the largest weight. */
  static double relativeDifference(TrainingRun a, TrainingRun b) {
    double maxDiff = 0;
    double maxAbs = 0;
    for (String name : a.network().parameters().keySet()) {
      float[] x = a.weights(name);
      float[] y = b.weights(name);
      for (int i = 0; i < x.length; i++) {
        if (!Float.isFinite(x[i]) || !Float.isFinite(y[i])) {
          return Double.POSITIVE_INFINITY;
        }
        maxDiff = Math.max(maxDiff, Math.abs(x[i] - y[i]));
        maxAbs = Math.max(maxAbs, Math.abs(x[i]));
      }
    }
    return maxDiff / maxAbs;
  }
}
