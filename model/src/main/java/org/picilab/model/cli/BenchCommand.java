package org.picilab.model.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.picilab.model.config.ConfigLoader;
import org.picilab.model.config.RunConfig;
import org.picilab.model.data.Datasets;
import org.picilab.model.data.ImageDataset;
import org.picilab.model.train.BatchProgress;
import org.picilab.model.train.Stage;
import org.picilab.model.train.StageRunner;
import org.picilab.model.train.TrainingListener;
import org.picilab.model.train.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pici bench}: measured figures, printed; never asserted. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks. Figures go to standard output.",
    subcommands = {BenchCommand.TrainStep.class})
final class BenchCommand {

  /** {@code pici bench train-step}: time per training step, throughput and memory. */
  @Command(
      name = "train-step",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Times training steps of each stage on generated images at the preset's size: the",
        "median and 90th percentile step time after warm-up, samples/s (each sample is two",
        "views) and the resident memory before and after, which would grow with a leak.",
        "Without --preset it measures the cpu preset and a ViT-S-sized model (the paper",
        "preset at 224 px, with a batch of 8 unless --batch-size is given)."
      })
  static final class TrainStep implements Callable<Integer> {

    @Option(names = "--preset", paramLabel = "P", description = "cpu, paper or tiny")
    List<String> presets;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "20", description = "timed steps")
    int steps;

    @Option(
        names = "--warmup",
        paramLabel = "W",
        defaultValue = "10",
        description = "untimed steps (default ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--batch-size", paramLabel = "B", description = "override the batch size")
    Integer batchSize;

    @Option(
        names = "--stages",
        paramLabel = "S",
        split = ",",
        defaultValue = "pretrain,train,boost",
        description = "stages to time (default ${DEFAULT-VALUE})")
    List<String> stages;

    @Option(names = "--threads", paramLabel = "N", description = "CPU threads for the engine")
    Integer threads;

    @Override
    public Integer call() throws IOException {
      if (threads != null) {
        ProcessSettings.threads(threads);
      }
      List<String[]> cases = new ArrayList<>();
      if (presets == null || presets.isEmpty()) {
        cases.add(new String[] {"cpu", null});
        cases.add(new String[] {"paper", "8"});
      } else {
        for (String p : presets) {
          cases.add(new String[] {p, null});
        }
      }
      Device device = Engine.getInstance().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
      System.out.printf(
          Locale.ROOT,
          "engine %s %s on %s, %s threads, %d cores%n",
          Engine.getInstance().getEngineName(),
          Engine.getInstance().getVersion(),
          device,
          System.getProperty("ai.djl.pytorch.num_threads"),
          Runtime.getRuntime().availableProcessors());
      System.out.printf(
          Locale.ROOT,
          "%-6s %-8s %5s %5s %7s %10s %8s %9s %14s%n",
          "preset",
          "stage",
          "batch",
          "px",
          "params",
          "median ms",
          "p90 ms",
          "samples/s",
          "RSS MB");
      for (String[] c : cases) {
        for (String stage : stages) {
          measure(
              c[0],
              batchSize != null ? batchSize : c[1] == null ? null : Integer.valueOf(c[1]),
              Stage.parse(stage),
              device);
        }
      }
      return 0;
    }

    private void measure(String preset, Integer batch, Stage stage, Device device) {
      Map<String, String> o = new LinkedHashMap<>();
      if (batch != null) {
        o.put("batchSize", batch.toString());
      }
      o.put("epochs.pretrain", stage == Stage.PRETRAIN ? "1" : "0");
      o.put("epochs.train", stage == Stage.TRAIN ? "1" : "0");
      o.put("epochs.boost", stage == Stage.BOOST ? "1" : "0");
      o.put("warmupEpochs", "0");
      o.put("cliRestarts", "1");
      if (stage == Stage.PRETRAIN) {
        o.put("predict", "kmeans");
      }
      RunConfig config = ConfigLoader.load(preset, null, o);
      int b = config.batchSize();
      int images = b * (warmup + steps);
      int classes = 10;
      ImageDataset data =
          Datasets.load(
              "shapes:" + classes + ":" + (images + classes - 1) / classes, config.imageSize());
      List<Double> times = new ArrayList<>();
      long[] rss = new long[2];
      TrainingListener timer =
          new TrainingListener() {
            @Override
            public void onBatch(BatchProgress p) {
              if (p.batch() == warmup) {
                rss[0] = residentBytes();
              }
              if (p.batch() > warmup) {
                times.add(p.seconds());
              }
            }
          };
      try (TrainingRun run = TrainingRun.create(config, "generated", data, device)) {
        new StageRunner(data, timer, () -> false, null).runAll(run);
        rss[1] = residentBytes();
        Collections.sort(times);
        double median = times.get(times.size() / 2);
        double p90 = times.get(Math.min(times.size() - 1, (int) Math.ceil(times.size() * 0.9) - 1));
        System.out.printf(
            Locale.ROOT,
            "%-6s %-8s %5d %5d %7s %10.1f %8.1f %9.1f %6d -> %d%n",
            preset,
            stage.optionName(),
            b,
            config.imageSize(),
            TrainCommand.humanCount(run.network().parameterCount(run.network().allParts())),
            median * 1000,
            p90 * 1000,
            b / median,
            rss[0] >> 20,
            rss[1] >> 20);
      }
    }
  }

  /** Resident memory of this process from /proc, or -1 where that is not available. */
  static long residentBytes() {
    try {
      for (String line :
          Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
        if (line.startsWith("VmRSS:")) {
          String[] parts = line.trim().split("\\s+");
          return Long.parseLong(parts[1]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
