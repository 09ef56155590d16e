package org.picilab.model.cli;

import ai.djl.Device;
import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.picilab.model.config.ConfigLoader;
import org.picilab.model.config.Epochs;
import org.picilab.model.config.Prediction;
import org.picilab.model.config.RunConfig;
import org.picilab.model.data.Datasets;
import org.picilab.model.data.ImageDataset;
import org.picilab.model.eval.Evaluation;
import org.picilab.model.eval.Evaluator;
import org.picilab.model.local.RunDirectory;
import org.picilab.model.local.RunOutputs;
import org.picilab.model.local.RunResult;
import org.picilab.model.train.EpochRecord;
import org.picilab.model.train.Snapshot;
import org.picilab.model.train.Stage;
import org.picilab.model.train.StageRunner;
import org.picilab.model.train.TrainingCancelledException;
import org.picilab.model.train.TrainingListener;
import org.picilab.model.train.TrainingRun;
import org.picilab.model.util.Devices;
import org.picilab.model.util.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code pici train}: trains PICI locally, writing checkpoints and results under a directory. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Trains PICI on a data set: pretrain, train and boost, then evaluates.",
      "Checkpoints go to DIR/checkpoints; results to DIR/result.json,",
      "assignments.csv, embedding.csv, confusion.csv and report.html.",
      "Ctrl-C stops between two batches and leaves a checkpoint;",
      "--resume DIR continues from the newest complete one."
    })
final class TrainCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--data",
      paramLabel = "DATA",
      description = "digits (built in), shapes:K[:PER_CLASS[:SEED]] (generated), or a folder")
  String data;

  @Option(names = "--out", paramLabel = "DIR", description = "run directory to create")
  Path out;

  @Option(names = "--resume", paramLabel = "DIR", description = "continue the run in DIR")
  Path resume;

  @Option(names = "--preset", paramLabel = "P", description = "cpu (default), paper or tiny")
  String preset;

  @Option(names = "--config", paramLabel = "FILE", description = "YAML or JSON settings")
  Path config;

  @Option(names = "--epochs", paramLabel = "PRE,TRAIN,BOOST", description = "epochs per stage")
  String epochs;

  @Option(names = "--seed", paramLabel = "N", description = "run seed")
  Long seed;

  @Option(
      names = "--checkpoint-every",
      paramLabel = "E",
      description = "checkpoint every E epochs (and at each stage end)")
  Integer checkpointEvery;

  @Option(names = "--clusters", paramLabel = "K", description = "number of clusters")
  Integer clusters;

  @Option(names = "--lr", paramLabel = "LR", description = "learning rate")
  Double lr;

  @Option(names = "--batch-size", paramLabel = "B", description = "samples per step")
  Integer batchSize;

  @Option(names = "--mask-ratio", paramLabel = "R", description = "fraction of patches masked")
  Double maskRatio;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "any setting, e.g. --set tauCluster=0.5 --set augment.rotationDegrees=15")
  Map<String, String> sets = new LinkedHashMap<>();

  @Option(
      names = "--device",
      paramLabel = "D",
      defaultValue = "auto",
      description = "auto (GPU if present), cpu or gpu")
  String device;

  @Option(names = "--threads", paramLabel = "N", description = "CPU threads for the engine")
  Integer threads;

  @Option(
      names = "--keep-checkpoints",
      paramLabel = "N",
      defaultValue = "3",
      description = "newest checkpoints to keep (default ${DEFAULT-VALUE})")
  int keep;

  @Option(
      names = "--progress",
      paramLabel = "MODE",
      defaultValue = "auto",
      description = "auto, bar (redrawn line), lines (one per epoch) or none")
  String progress;

  private final AtomicBoolean cancel = new AtomicBoolean();
  private final CountDownLatch done = new CountDownLatch(1);

  @Override
  public Integer call() throws Exception {
    if (threads != null) {
      ProcessSettings.threads(threads);
    }
    long started = System.nanoTime();
    PrintStream err = System.err;
    Thread hook = new Thread(this::onShutdown, "pici-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return resume != null ? resumeRun(started, err) : newRun(started, err);
    } catch (TrainingCancelledException e) {
      err.println();
      err.println("Stopped: " + e.getMessage() + ".");
      err.println("Continue with: ./pici train --resume " + runDir());
      return PiciCli.EXIT_INTERRUPTED;
    } finally {
      done.countDown();
      if (!PiciCli.SHUTTING_DOWN.get()) {
        Runtime.getRuntime().removeShutdownHook(hook);
      }
    }
  }

  private Path runDir() {
    return resume != null ? resume : out;
  }

  private void onShutdown() {
    PiciCli.SHUTTING_DOWN.set(true);
    cancel.set(true);
    try {
      // Give the training thread time to finish its batch and write the checkpoint.
      done.await(120, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private int newRun(long started, PrintStream err) throws IOException {
    if (data == null) {
      throw new ParameterException(spec.commandLine(), "--data is required (or --resume DIR)");
    }
    if (out == null) {
      throw new ParameterException(spec.commandLine(), "--out DIR is required");
    }
    RunConfig cfg = ConfigLoader.load(preset, config, overrides());
    ImageDataset images = load(data, cfg.imageSize(), err);
    RunDirectory dir =
        RunDirectory.create(
            out, new RunDirectory.RunSpec(data, preset == null ? "cpu" : preset, cfg));
    try (TrainingRun run = TrainingRun.create(cfg, data, images, device())) {
      err.printf(
          Locale.ROOT,
          "PICI on %s: %d images, %d clusters, %s parameters, %s, seed %d -> %s%n",
          data,
          images.size(),
          run.clusters(),
          humanCount(run.network().parameterCount(run.network().allParts())),
          run.manager().getDevice(),
          cfg.seed(),
          out);
      dir.resetMetrics(List.of());
      return train(dir, run, images, started, null, err);
    }
  }

  private int resumeRun(long started, PrintStream err) throws IOException {
    if (data != null || config != null || epochs != null || seed != null || !sets.isEmpty()) {
      throw new ParameterException(
          spec.commandLine(),
          "--resume continues a run with its recorded settings; drop --data, --config, --epochs,"
              + " --seed and --set (start a new run to change them)");
    }
    RunDirectory dir = RunDirectory.open(resume);
    if (Files.exists(resume.resolve("result.json"))) {
      err.println(
          "The run in " + resume + " already finished; see " + resume.resolve("result.json"));
      return 0;
    }
    RunDirectory.RunSpec runSpec = dir.spec();
    ImageDataset images = load(runSpec.data(), runSpec.config().imageSize(), err);
    Optional<Snapshot> newest = dir.newestCheckpoint(m -> err.println("warning: " + m));
    TrainingRun run;
    Integer resumedFrom;
    if (newest.isPresent()) {
      Snapshot s = newest.get();
      run = TrainingRun.restore(s, images, device());
      resumedFrom = s.epoch();
      err.printf(
          Locale.ROOT,
          "Resuming %s at epoch %d (batch %d) of %d%n",
          resume,
          s.epoch() + 1,
          s.batch(),
          s.config().epochs().total());
    } else {
      err.println("No complete checkpoint in " + resume + "; starting the run from epoch 1");
      run = TrainingRun.create(runSpec.config(), runSpec.data(), images, device());
      resumedFrom = 0;
    }
    try (run) {
      dir.resetMetrics(run.history());
      return train(dir, run, images, started, resumedFrom, err);
    }
  }

  private int train(
      RunDirectory dir,
      TrainingRun run,
      ImageDataset images,
      long started,
      Integer resumedFrom,
      PrintStream err)
      throws IOException {
    RunConfig cfg = run.config();
    ProgressBar bar = new ProgressBar(err, liveProgress(), cfg.batchSize());
    TrainingListener quiet = TrainingListener.NONE;
    TrainingListener shown = progress.equals("none") ? quiet : bar;
    TrainingListener listener =
        new TrainingListener() {
          @Override
          public void onStageStart(Stage s, int from, int to, int batches) {
            shown.onStageStart(s, from, to, batches);
          }

          @Override
          public void onBatch(org.picilab.model.train.BatchProgress p) {
            shown.onBatch(p);
          }

          @Override
          public void onEpoch(EpochRecord r) {
            dir.appendMetrics(r);
            shown.onEpoch(r);
          }

          @Override
          public void onPhase(String message) {
            shown.onPhase(message);
          }
        };
    StageRunner runner = new StageRunner(images, listener, cancel::get, dir.sink(keep, f -> {}));
    Map<String, RunResult.StageScore> stageScores = readStageScores(dir);
    Epochs e = cfg.epochs();
    for (Stage stage : Stage.values()) {
      int offset = stage.offset(e);
      int length = stage.length(e);
      if (length == 0 || run.epoch() >= offset + length) {
        continue;
      }
      runner.runStage(run, stage, run.epoch() - offset, length);
      if (images.hasLabels()) {
        stageScores.put(stage.optionName(), stageScore(run, images, stage));
        dir.writeAtomically(
            "stage-scores.json", ConfigLoader.mapper().writeValueAsBytes(stageScores));
        RunResult.StageScore s = stageScores.get(stage.optionName());
        bar.message(
            String.format(
                Locale.ROOT,
                "end of %s (%s): NMI %.3f  ACC %.3f  ARI %.3f",
                stage.optionName(),
                s.readout(),
                s.scores().nmi(),
                s.scores().acc(),
                s.scores().ari()));
      }
    }
    bar.message("Evaluating " + images.size() + " images...");
    Evaluation eval = Evaluator.evaluate(run, images);
    double wall = (System.nanoTime() - started) / 1e9;
    double before = 0;
    if (resumedFrom != null) {
      for (EpochRecord r : run.history()) {
        if (r.epoch() < resumedFrom) {
          before += r.seconds();
        }
      }
    }
    RunResult result =
        RunResult.of(
            run,
            eval,
            dir.spec().data(),
            dir.spec().preset(),
            stageScores,
            wall + before,
            resumedFrom);
    RunOutputs.write(dir, result, eval, images, run.history());
    if (eval.scores() != null) {
      err.printf(
          Locale.ROOT,
          "Done in %s: NMI %.3f  ACC %.3f  ARI %.3f  FMI %.3f  (%.0f img/s)%n",
          Durations.human(result.wallSeconds()),
          eval.scores().nmi(),
          eval.scores().acc(),
          eval.scores().ari(),
          eval.scores().fmi(),
          result.imagesPerSecond());
    } else {
      err.printf(
          Locale.ROOT,
          "Done in %s (no labels, so no scores).%n",
          Durations.human(result.wallSeconds()));
    }
    err.println(
        "Results: "
            + dir.root().resolve("result.json")
            + ", report: "
            + dir.root().resolve("report.html"));
    return 0;
  }

  private static RunResult.StageScore stageScore(
      TrainingRun run, ImageDataset images, Stage stage) {
    if (stage == Stage.PRETRAIN) {
      // The heads are untrained after pre-training; read clusters with k-means on h instead.
      Evaluation e = Evaluator.evaluate(run, images, Prediction.KMEANS);
      return new RunResult.StageScore("kmeans-h", e.scores());
    }
    Evaluation e = Evaluator.evaluate(run, images, run.config().predict());
    return new RunResult.StageScore(
        run.config().predict() == Prediction.HEAD ? "head" : "kmeans-h", e.scores());
  }

  private static Map<String, RunResult.StageScore> readStageScores(RunDirectory dir)
      throws IOException {
    Path file = dir.root().resolve("stage-scores.json");
    if (!Files.exists(file)) {
      return new LinkedHashMap<>();
    }
    return ConfigLoader.mapper()
        .readValue(
            file.toFile(), new TypeReference<LinkedHashMap<String, RunResult.StageScore>>() {});
  }

  private Map<String, String> overrides() {
    Map<String, String> o = new LinkedHashMap<>();
    if (epochs != null) {
      Epochs e = Epochs.parse(epochs);
      o.put("epochs.pretrain", String.valueOf(e.pretrain()));
      o.put("epochs.train", String.valueOf(e.train()));
      o.put("epochs.boost", String.valueOf(e.boost()));
    }
    if (seed != null) {
      o.put("seed", String.valueOf(seed));
    }
    if (checkpointEvery != null) {
      o.put("checkpointEvery", String.valueOf(checkpointEvery));
    }
    if (clusters != null) {
      o.put("clusters", String.valueOf(clusters));
    }
    if (lr != null) {
      o.put("lr", String.valueOf(lr));
    }
    if (batchSize != null) {
      o.put("batchSize", String.valueOf(batchSize));
    }
    if (maskRatio != null) {
      o.put("maskRatio", String.valueOf(maskRatio));
    }
    o.putAll(sets);
    return o;
  }

  private Device device() {
    return Devices.parse(device);
  }

  private boolean liveProgress() {
    return switch (progress) {
      case "bar" -> true;
      case "lines", "none" -> false;
      case "auto" -> System.console() != null;
      default ->
          throw new IllegalArgumentException(
              "--progress must be auto, bar, lines or none, got '" + progress + "'");
    };
  }

  static ImageDataset load(String data, int imageSize, PrintStream err) {
    long t0 = System.nanoTime();
    int[] shown = {-1};
    ImageDataset images =
        Datasets.load(
            data,
            imageSize,
            (doneCount, total) -> {
              int pct = (int) (100L * doneCount / Math.max(1, total));
              if (total >= 500 && pct / 10 != shown[0]) {
                shown[0] = pct / 10;
                err.printf(Locale.ROOT, "loading images: %d/%d%n", doneCount, total);
              }
            });
    double s = (System.nanoTime() - t0) / 1e9;
    if (s > 2) {
      err.printf(Locale.ROOT, "loaded %d images in %.1fs%n", images.size(), s);
    }
    return images;
  }

  static String humanCount(long n) {
    if (n >= 1_000_000) {
      return String.format(Locale.ROOT, "%.1fM", n / 1e6);
    }
    if (n >= 1_000) {
      return String.format(Locale.ROOT, "%.0fk", n / 1e3);
    }
    return String.valueOf(n);
  }
}
