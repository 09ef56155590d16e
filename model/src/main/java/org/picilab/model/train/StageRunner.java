package org.picilab.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.picilab.model.cluster.Hungarian;
import org.picilab.model.cluster.KMeans;
import org.picilab.model.config.Epochs;
import org.picilab.model.config.PseudoLabelPolicy;
import org.picilab.model.config.RunConfig;
import org.picilab.model.data.ImageDataset;
import org.picilab.model.loss.Losses;
import org.picilab.model.nn.MaskPlan;
import org.picilab.model.nn.Patches;
import org.picilab.model.nn.PiciNetwork;
import org.picilab.model.nn.PiciNetwork.Part;
import org.picilab.model.nn.Scalars;
import org.picilab.model.util.Seeds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a range of epochs of one stage from a run's current state (paper 002, Algorithm 1), and
 * leaves the run positioned after the last of them. One runner serves all three stages; what a
 * stage computes is:
 *
 * <ul>
 *   <li>pretrain: PISD, the masked reconstruction of both views (Eq. 1);
 *   <li>train: {@code reconstructionWeight * PISD + instance + cluster} (Eqs. 1, 2);
 *   <li>boost: {@code instance + cluster + CLI} (Eq. 15), the decoder left alone.
 * </ul>
 *
 * <p>Every stage masks its views at {@code maskRatio}. Batches are of fixed size; the last
 * incomplete batch of an epoch is dropped. Progress is reported per batch and per epoch; a cancel
 * request is honoured between batches and leaves a checkpoint of the exact position behind.
 */
public final class StageRunner {

  private static final Logger LOG = LoggerFactory.getLogger(StageRunner.class);

  private final ImageDataset data;
  private final TrainingListener listener;
  private final BooleanSupplier cancelRequested;
  private final CheckpointSink sink;

  /**
   * Creates a runner.
   *
   * @param data the run's data set
   * @param listener receives progress; never null
   * @param cancelRequested polled between batches
   * @param sink receives checkpoints, or null to write none
   */
  public StageRunner(
      ImageDataset data,
      TrainingListener listener,
      BooleanSupplier cancelRequested,
      CheckpointSink sink) {
    this.data = data;
    this.listener = listener;
    this.cancelRequested = cancelRequested;
    this.sink = sink;
  }

  /**
   * Trains every epoch the run has left, stage after stage.
   *
   * @param run the run; advanced in place
   */
  public void runAll(TrainingRun run) {
    Epochs epochs = run.config().epochs();
    for (Stage stage : Stage.values()) {
      int offset = stage.offset(epochs);
      int length = stage.length(epochs);
      if (run.epoch() < offset + length) {
        runStage(run, stage, run.epoch() - offset, length);
      }
    }
  }

  /**
   * Trains stage epochs {@code [fromEpoch, toEpoch)}, continuing a partly trained epoch if the run
   * stopped inside {@code fromEpoch}.
   *
   * @param run the run, positioned at global epoch {@code offset(stage) + fromEpoch}
   * @param stage the stage
   * @param fromEpoch first stage epoch to train, 0-based
   * @param toEpoch stage epoch to stop before
   * @throws DivergenceException when a loss or a gradient becomes NaN or infinite
   * @throws TrainingCancelledException when cancelled between batches
   * @throws UncheckedIOException when a checkpoint cannot be written
   */
  public void runStage(TrainingRun run, Stage stage, int fromEpoch, int toEpoch) {
    RunConfig config = run.config();
    Epochs epochs = config.epochs();
    int offset = stage.offset(epochs);
    int length = stage.length(epochs);
    if (fromEpoch < 0 || toEpoch > length || fromEpoch > toEpoch) {
      throw new IllegalArgumentException(
          "the "
              + stage.optionName()
              + " stage has epochs 0.."
              + length
              + "; cannot run "
              + fromEpoch
              + ".."
              + toEpoch);
    }
    if (run.epoch() != offset + fromEpoch) {
      throw new IllegalStateException(
          "the run is at global epoch "
              + run.epoch()
              + ", not at epoch "
              + fromEpoch
              + " of the "
              + stage.optionName()
              + " stage (global "
              + (offset + fromEpoch)
              + ")");
    }
    int batches = data.size() / config.batchSize();
    ThreadGradients.recordingOff(run.manager());
    listener.onStageStart(stage, fromEpoch, toEpoch, batches);
    ExecutorService prefetch =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "pici-batches");
              t.setDaemon(true);
              return t;
            });
    try {
      ViewMaker views = new ViewMaker(data, config, run.mean(), run.std());
      for (int e = fromEpoch; e < toEpoch; e++) {
        trainEpoch(run, stage, e, length, batches, views, prefetch);
        boolean due = (e + 1) % config.checkpointEvery() == 0 || e + 1 == toEpoch;
        if (due) {
          save(run);
        }
      }
    } finally {
      prefetch.shutdownNow();
    }
  }

  private void trainEpoch(
      TrainingRun run,
      Stage stage,
      int stageEpoch,
      int stageLength,
      int batches,
      ViewMaker views,
      ExecutorService prefetch) {
    RunConfig config = run.config();
    int global = stage.offset(config.epochs()) + stageEpoch;
    if (stage == Stage.BOOST) {
      ensurePseudoLabels(run, global);
    }
    int[] order =
        permutation(data.size(), Seeds.derive(config.seed(), TrainingRun.SHUFFLE, global));
    long totalBatches = (long) config.epochs().total() * batches;
    double throughput = 0;
    double lr = config.lr();
    Future<Batch> next =
        prefetch.submit(() -> makeBatch(views, config, order, global, run.batch()));
    for (int j = run.batch(); j < batches; j++) {
      if (cancelRequested.getAsBoolean()) {
        next.cancel(true);
        save(run);
        throw new TrainingCancelledException(
            "cancelled in the "
                + stage.optionName()
                + " stage at epoch "
                + (stageEpoch + 1)
                + ", batch "
                + (j + 1)
                + "; the checkpoint holds the exact position");
      }
      Batch batch = await(next);
      int following = j + 1;
      if (following < batches) {
        next = prefetch.submit(() -> makeBatch(views, config, order, global, following));
      }
      lr = learningRate(config, global, j, batches);
      long start = System.nanoTime();
      Map<String, Double> losses = step(run, stage, stageEpoch, j, batch, lr);
      double seconds = (System.nanoTime() - start) / 1e9;
      run.advanceBatch(run.partial().plus(losses, seconds), seconds);
      double rate = config.batchSize() / Math.max(seconds, 1e-9);
      throughput = throughput == 0 ? rate : 0.8 * throughput + 0.2 * rate;
      long done = (long) global * batches + j + 1;
      listener.onBatch(
          new BatchProgress(
              stage,
              stageEpoch,
              stageLength,
              global,
              j + 1,
              batches,
              losses,
              throughput,
              totalBatches - done,
              seconds));
    }
    PartialEpoch sums = run.partial();
    EpochRecord record =
        new EpochRecord(
            global,
            stage,
            stageEpoch,
            sums.batches(),
            sums.means(),
            sums.seconds(),
            sums.batches() * (double) config.batchSize() / Math.max(sums.seconds(), 1e-9),
            lr);
    run.finishEpoch(record);
    listener.onEpoch(record);
  }

  private void save(TrainingRun run) {
    if (sink == null) {
      return;
    }
    try {
      sink.save(run);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write a checkpoint: " + e.getMessage(), e);
    }
  }

  /** The inputs of one step, prepared away from the training thread. */
  private record Batch(
      int[] indices, float[] viewA, float[] viewB, MaskPlan maskA, MaskPlan maskB) {}

  private static Batch makeBatch(
      ViewMaker views, RunConfig config, int[] order, int epoch, int batchIndex) {
    int b = config.batchSize();
    int patches =
        (config.imageSize() / config.patchSize()) * (config.imageSize() / config.patchSize());
    int[] indices = java.util.Arrays.copyOfRange(order, batchIndex * b, (batchIndex + 1) * b);
    float[] a = new float[b * views.imageValues()];
    float[] bb = new float[b * views.imageValues()];
    views.fill(indices, 0, b, ViewMaker.Pipeline.A, TrainingRun.AUGMENT, epoch, a);
    views.fill(indices, 0, b, ViewMaker.Pipeline.B, TrainingRun.AUGMENT, epoch, bb);
    MaskPlan ma = mask(config, patches, epoch, batchIndex, 0);
    MaskPlan mb = mask(config, patches, epoch, batchIndex, 1);
    return new Batch(indices, a, bb, ma, mb);
  }

  private static MaskPlan mask(RunConfig config, int patches, int epoch, int batch, int view) {
    if (config.maskRatio() == 0) {
      return MaskPlan.none(config.batchSize(), patches);
    }
    SplittableRandom rng =
        new SplittableRandom(Seeds.derive(config.seed(), TrainingRun.MASK, epoch, batch, view));
    return MaskPlan.random(config.batchSize(), patches, config.maskRatio(), rng);
  }

  private static Batch await(Future<Batch> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TrainingCancelledException("interrupted while preparing a batch");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException("could not prepare a batch", e.getCause());
    }
  }

  /** Linear warm-up over the first {@code warmupEpochs} of the run, then constant. */
  static double learningRate(RunConfig config, int epoch, int batch, int batches) {
    double warmupSteps = config.warmupEpochs() * batches;
    if (warmupSteps <= 0) {
      return config.lr();
    }
    double step = (double) epoch * batches + batch + 1;
    return config.lr() * Math.min(1.0, step / warmupSteps);
  }

  static int[] permutation(int n, long seed) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    SplittableRandom rng = new SplittableRandom(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  private Map<String, Double> step(
      TrainingRun run, Stage stage, int stageEpoch, int batchIndex, Batch batch, double lr) {
    RunConfig config = run.config();
    NDManager m = run.manager();
    ParameterStore ps = run.parameterStore();
    PiciNetwork net = run.network();
    int b = config.batchSize();
    int size = config.imageSize();
    int patches = batch.maskA().patches();
    boolean reconstruct =
        stage == Stage.PRETRAIN || (stage == Stage.TRAIN && config.reconstructionWeight() > 0);
    boolean contrast = stage != Stage.PRETRAIN;
    Map<String, NDArray> parts = new LinkedHashMap<>();
    Map<String, Double> values = new LinkedHashMap<>();
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      try (ThreadGradients collector = ThreadGradients.open(m)) {
        NDArray[] reconstruction = new NDArray[2];
        NDArray[] z = new NDArray[2];
        NDArray[] logits = new NDArray[2];
        NDArray[] probs = new NDArray[2];
        for (int v = 0; v < 2; v++) {
          float[] pixels = v == 0 ? batch.viewA() : batch.viewB();
          MaskPlan plan = v == 0 ? batch.maskA() : batch.maskB();
          NDArray x = m.create(pixels, new Shape(b, 3, size, size));
          NDArray keep =
              plan.isIdentity() ? null : m.create(plan.keepIndex(), new Shape(b, plan.keep()));
          NDArray tokens = net.encode(ps, x, keep, true);
          if (reconstruct) {
            NDArray restore = m.create(plan.restoreIndex(), new Shape(b, patches));
            NDArray predicted = net.decode(ps, tokens, restore, true);
            NDArray masked = m.create(plan.masked(), new Shape(b, patches));
            if (plan.isIdentity()) {
              // Without masking MAE's loss has no masked patch to score; use every patch.
              masked = Scalars.add(masked, 1);
            }
            reconstruction[v] =
                Losses.reconstruction(predicted, Patches.patchify(x, config.patchSize()), masked);
          }
          if (contrast) {
            NDArray h = PiciNetwork.cls(tokens);
            z[v] = net.instanceProjection(ps, h, true);
            logits[v] = net.clusterLogits(ps, h, true);
            probs[v] = logits[v].softmax(1);
          }
        }
        NDArray total = null;
        if (reconstruct) {
          NDArray pisd = Scalars.div(reconstruction[0].add(reconstruction[1]), 2);
          parts.put("pisd", pisd);
          total = stage == Stage.TRAIN ? Scalars.mul(pisd, config.reconstructionWeight()) : pisd;
        }
        if (contrast) {
          NDArray instance = Losses.instanceContrastive(z[0], z[1], config.tauInstance());
          NDArray cluster = Losses.clusterContrastive(probs[0], probs[1], config.tauCluster());
          NDArray entropy = Losses.clusterEntropy(probs[0]).add(Losses.clusterEntropy(probs[1]));
          parts.put("instance", instance);
          parts.put("cluster", cluster);
          parts.put("entropy", entropy);
          NDArray picd = instance.add(cluster).add(entropy);
          total = total == null ? picd : total.add(picd);
        }
        if (stage == Stage.BOOST) {
          NDArray cli = null;
          for (int v = 0; v < 2; v++) {
            NDArray targets = crossLevelTargets(run, logits[v], batch.indices(), v);
            NDArray term = Losses.crossLevel(logits[v], targets, config.cliLoss());
            cli = cli == null ? term : cli.add(term);
          }
          cli = Scalars.div(cli, 2);
          parts.put("cli", cli);
          total = total.add(cli);
        }
        parts.put("loss", total);
        collector.backward(total);
      }
      for (Map.Entry<String, NDArray> e : parts.entrySet()) {
        values.put(e.getKey(), (double) e.getValue().getFloat());
      }
      checkFinite(values, stage, stageEpoch, batchIndex, lr);
      Map<String, Parameter> active = activeParameters(net, stage, config);
      checkGradients(active, stage, stageEpoch, batchIndex, lr);
      run.adam().step(active, lr);
    }
    // "loss" first, then the components, for display.
    Map<String, Double> ordered = new LinkedHashMap<>();
    ordered.put("loss", values.get("loss"));
    values.forEach(ordered::putIfAbsent);
    return ordered;
  }

  private static void checkFinite(
      Map<String, Double> values, Stage stage, int stageEpoch, int batch, double lr) {
    for (Map.Entry<String, Double> e : values.entrySet()) {
      if (!e.getKey().equals("loss") && !Double.isFinite(e.getValue())) {
        throw new DivergenceException(e.getKey(), stage, stageEpoch, batch, e.getValue(), lr);
      }
    }
    double total = values.get("loss");
    if (!Double.isFinite(total)) {
      throw new DivergenceException("total", stage, stageEpoch, batch, total, lr);
    }
  }

  /**
   * Checks that every gradient is finite before the optimizer applies it: one NaN or infinite value
   * would spread through Adam's moments into every later step, and a finite loss does not rule it
   * out (an overflow in the backward pass alone). One sum per gradient, read back in one transfer;
   * a sum that is not finite is then looked at element by element, because finite values can also
   * add up past the float range.
   *
   * @throws DivergenceException naming the first parameter whose gradient is not finite
   */
  static void checkGradients(
      Map<String, Parameter> active, Stage stage, int stageEpoch, int batch, double lr) {
    if (active.isEmpty()) {
      return;
    }
    NDList sums = new NDList(active.size());
    for (Parameter p : active.values()) {
      sums.add(p.getArray().getGradient().sum());
    }
    float[] s = NDArrays.stack(sums).toFloatArray();
    int i = 0;
    for (Map.Entry<String, Parameter> e : active.entrySet()) {
      if (!Float.isFinite(s[i++])) {
        NDArray grad = e.getValue().getArray().getGradient();
        long nan = grad.isNaN().countNonzero().getLong();
        long infinite = grad.isInfinite().countNonzero().getLong();
        if (nan + infinite > 0) {
          throw DivergenceException.gradient(
              e.getKey(), nan, infinite, grad.size(), stage, stageEpoch, batch, lr);
        }
      }
    }
  }

  /** The parameters a stage's loss reaches, as PyTorch would find gradients for. */
  static Map<String, Parameter> activeParameters(PiciNetwork net, Stage stage, RunConfig config) {
    Map<String, Parameter> active = new LinkedHashMap<>(net.parameters(Part.ENCODER));
    if (stage == Stage.PRETRAIN || (stage == Stage.TRAIN && config.reconstructionWeight() > 0)) {
      active.putAll(net.parameters(Part.DECODER));
    }
    if (stage != Stage.PRETRAIN) {
      active.putAll(net.parameters(Part.INSTANCE_HEAD));
      active.putAll(net.parameters(Part.CLUSTER_HEAD));
    }
    return active;
  }

  /**
   * The one-hot CLI targets of one view (paper 002, Section 3.3): the batch's pseudo-labels p are
   * matched to the cluster head's labels q = argmax c by the Hungarian algorithm, maximising
   * agreement, and each sample's target is the cluster its pseudo-label maps to.
   */
  private static NDArray crossLevelTargets(
      TrainingRun run, NDArray logits, int[] indices, int view) {
    int k = run.clusters();
    long[] q = logits.argMax(1).toLongArray();
    int[] p = run.pseudoLabels()[view];
    double[][] agreement = new double[k][k];
    for (int n = 0; n < indices.length; n++) {
      agreement[p[indices[n]]][(int) q[n]] += 1;
    }
    int[] map = Hungarian.maximize(agreement);
    float[] onehot = new float[indices.length * k];
    for (int n = 0; n < indices.length; n++) {
      onehot[n * k + map[p[indices[n]]]] = 1f;
    }
    return logits.getManager().create(onehot, new Shape(indices.length, k));
  }

  /**
   * Computes the CLI pseudo-labels if the epoch needs new ones: k-means, separately per view, on
   * the instance projections of every sample in data set order (method.md, "CLI"). Each view is
   * embedded through its own training augmentation and mask, drawn from seeds of this epoch.
   */
  private void ensurePseudoLabels(TrainingRun run, int global) {
    RunConfig config = run.config();
    boolean needed =
        run.pseudoLabels() == null
            || (config.pseudoLabels() == PseudoLabelPolicy.EVERY_EPOCH
                && run.pseudoLabelEpoch() != global);
    if (!needed) {
      return;
    }
    int[][] labels = new int[2][];
    for (int v = 0; v < 2; v++) {
      listener.onPhase(
          "CLI pseudo-labels, view "
              + (v == 0 ? "a" : "b")
              + ": embedding "
              + data.size()
              + " images and running k-means (K="
              + run.clusters()
              + ", "
              + config.cliRestarts()
              + " restarts)");
      Features f =
          Features.compute(
              run,
              data,
              v == 0 ? ViewMaker.Pipeline.A : ViewMaker.Pipeline.B,
              TrainingRun.PSEUDO_AUGMENT,
              TrainingRun.PSEUDO_MASK,
              global,
              config.maskRatio());
      KMeans.Result result =
          KMeans.fit(
              Features.toDouble(f.z()),
              new KMeans.Options(
                  run.clusters(),
                  config.cliRestarts(),
                  300,
                  1e-4,
                  Seeds.derive(config.seed(), TrainingRun.KMEANS, global, v)));
      labels[v] = result.labels();
      LOG.debug("pseudo-labels view {}: inertia {}", v, result.inertia());
    }
    run.setPseudoLabels(labels, global);
  }
}
