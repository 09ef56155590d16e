package org.picilab.model.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.picilab.model.config.ConfigException;
import org.picilab.model.config.ConfigLoader;
import org.picilab.model.config.NormalizationKind;
import org.picilab.model.config.RunConfig;
import org.picilab.model.data.ImageDataset;
import org.picilab.model.nn.PiciNetwork;
import org.picilab.model.optim.Adam;
import org.picilab.model.util.Seeds;

/**
 * The live state of one training run: configuration, network weights, optimizer state, where
 * training stands (epoch and batch), the CLI pseudo-labels and the history of finished epochs.
 *
 * <p>Together with the data set, this is everything needed to continue exactly: all random draws of
 * a step are derived from the run seed and the step's position (see {@link Seeds}), so no generator
 * state needs saving. {@link #snapshot()} and {@link #restore} convert to and from the serialisable
 * form that {@link CheckpointCodec} writes.
 *
 * <p>It owns native memory; close it when done.
 */
public final class TrainingRun implements AutoCloseable {

  /** Seed purposes, so that no two kinds of draw share a stream. */
  static final long INIT = 1;

  static final long SHUFFLE = 2;
  static final long AUGMENT = 3;
  static final long MASK = 4;
  static final long PSEUDO_AUGMENT = 5;
  static final long PSEUDO_MASK = 6;
  static final long KMEANS = 7;
  static final long EVAL_MASK = 8;

  private final RunConfig config;
  private final DatasetInfo dataset;
  private final int clusters;
  private final float[] mean;
  private final float[] std;
  private final NDManager manager;
  private final PiciNetwork network;
  private final ParameterStore parameterStore;
  private final Adam adam;
  private int epoch;
  private int batch;
  private PartialEpoch partial = PartialEpoch.EMPTY;
  private int[][] pseudoLabels;
  private int pseudoLabelEpoch = -1;
  private final List<EpochRecord> history = new ArrayList<>();
  private double trainingSeconds;

  private TrainingRun(
      RunConfig config,
      DatasetInfo dataset,
      int clusters,
      float[] mean,
      float[] std,
      Device device,
      long initSeed) {
    this.config = config;
    this.dataset = dataset;
    this.clusters = clusters;
    this.mean = mean;
    this.std = std;
    this.manager = NDManager.newBaseManager(device);
    this.network = new PiciNetwork(config.network(clusters));
    network.initialize(manager, initSeed);
    this.parameterStore = new ParameterStore(manager, false);
    this.adam = new Adam(manager, 0.9, 0.999, 1e-8, config.weightDecay());
  }

  /**
   * Starts a new run at epoch 0.
   *
   * @param config the validated configuration
   * @param spec the data argument as given, for the record
   * @param data the loaded data set
   * @param device where to keep weights and compute
   * @return the run
   * @throws ConfigException when the configuration does not fit the data
   */
  public static TrainingRun create(
      RunConfig config, String spec, ImageDataset data, Device device) {
    int k = resolveClusters(config, data);
    if (config.batchSize() > data.size()) {
      throw new ConfigException(
          "batchSize",
          config.batchSize()
              + " is larger than the data set ("
              + data.size()
              + " images); lower it");
    }
    if (config.imageSize() != data.imageSize()) {
      throw new IllegalArgumentException(
          "the data set was loaded at "
              + data.imageSize()
              + " px but the configuration wants "
              + config.imageSize());
    }
    float[][] stats = normalization(config.normalization(), data);
    return new TrainingRun(
        config,
        DatasetInfo.of(spec, data),
        k,
        stats[0],
        stats[1],
        device,
        Seeds.derive(config.seed(), INIT));
  }

  private static int resolveClusters(RunConfig config, ImageDataset data) {
    if (config.clusters() > 0) {
      return config.clusters();
    }
    if (!data.hasLabels()) {
      throw new ConfigException(
          "clusters",
          "is 0, meaning 'as many as the classes', but "
              + data.name()
              + " has no labels; set the number of clusters, e.g. --clusters 10");
    }
    if (data.numClasses() < 2) {
      throw new ConfigException(
          "clusters", data.name() + " has a single class; set the number of clusters explicitly");
    }
    return data.numClasses();
  }

  static float[][] normalization(NormalizationKind kind, ImageDataset data) {
    return switch (kind) {
      case NONE -> new float[][] {{0, 0, 0}, {1, 1, 1}};
      case IMAGENET -> new float[][] {{0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f}};
      case DATASET -> {
        double[][] ms = data.channelMeanStd();
        float[] m = new float[3];
        float[] s = new float[3];
        for (int c = 0; c < 3; c++) {
          m[c] = (float) ms[0][c];
          // A constant channel would divide by zero; leave it unscaled instead.
          s[c] = ms[1][c] > 1e-6 ? (float) ms[1][c] : 1f;
        }
        yield new float[][] {m, s};
      }
    };
  }

  /**
   * Rebuilds a run from a snapshot.
   *
   * @param snapshot a snapshot read from a checkpoint
   * @param data the data set it was trained on (checked against the recorded fingerprint)
   * @param device where to keep weights and compute
   * @return the run, positioned where the snapshot was taken
   */
  public static TrainingRun restore(Snapshot snapshot, ImageDataset data, Device device) {
    DatasetInfo now = DatasetInfo.of(snapshot.dataset().spec(), data);
    if (!now.fingerprint().equals(snapshot.dataset().fingerprint())) {
      throw new IllegalArgumentException(
          "the data set "
              + snapshot.dataset().spec()
              + " is not the one this run was trained on (it has "
              + now.size()
              + " images, fingerprint "
              + now.fingerprint()
              + "; the checkpoint recorded "
              + snapshot.dataset().size()
              + " images, fingerprint "
              + snapshot.dataset().fingerprint()
              + "). Restore the original data or start a new run.");
    }
    TrainingRun run =
        new TrainingRun(
            snapshot.config(),
            snapshot.dataset(),
            snapshot.clusters(),
            snapshot.mean(),
            snapshot.std(),
            device,
            0);
    Map<String, Parameter> params = run.network.parameters();
    for (Map.Entry<String, Parameter> e : params.entrySet()) {
      float[] values = snapshot.weights().get(e.getKey());
      if (values == null || values.length != e.getValue().getArray().size()) {
        throw new IllegalArgumentException(
            "the checkpoint has no weights of the right size for " + e.getKey());
      }
      e.getValue().getArray().set(FloatBuffer.wrap(values));
    }
    for (Map.Entry<String, Snapshot.Moments> e : snapshot.moments().entrySet()) {
      Parameter p = params.get(e.getKey());
      if (p == null) {
        throw new IllegalArgumentException("optimizer state for unknown parameter " + e.getKey());
      }
      Snapshot.Moments m = e.getValue();
      run.adam.restore(e.getKey(), m.step(), m.mean(), m.variance(), p.getArray());
    }
    run.epoch = snapshot.epoch();
    run.batch = snapshot.batch();
    run.partial = snapshot.partial();
    run.pseudoLabels = snapshot.pseudoLabels();
    run.pseudoLabelEpoch = snapshot.pseudoLabelEpoch();
    run.history.addAll(snapshot.history());
    run.trainingSeconds = snapshot.trainingSeconds();
    return run;
  }

  /**
   * Copies the whole state into plain Java arrays.
   *
   * @return a snapshot that shares nothing with this run
   */
  public Snapshot snapshot() {
    Map<String, float[]> weights = new LinkedHashMap<>();
    network.parameters().forEach((k, p) -> weights.put(k, p.getArray().toFloatArray()));
    Map<String, Snapshot.Moments> moments = new LinkedHashMap<>();
    adam.state()
        .forEach(
            (k, s) ->
                moments.put(
                    k,
                    new Snapshot.Moments(
                        s.step(), s.mean().toFloatArray(), s.variance().toFloatArray())));
    return new Snapshot(
        config,
        ConfigLoader.fingerprint(config),
        dataset,
        clusters,
        mean.clone(),
        std.clone(),
        epoch,
        batch,
        partial,
        pseudoLabels == null
            ? null
            : new int[][] {pseudoLabels[0].clone(), pseudoLabels[1].clone()},
        pseudoLabelEpoch,
        List.copyOf(history),
        trainingSeconds,
        weights,
        moments);
  }

  /**
   * The configuration.
   *
   * @return the configuration the run was created with
   */
  public RunConfig config() {
    return config;
  }

  /**
   * The data set description.
   *
   * @return what the run trains on
   */
  public DatasetInfo dataset() {
    return dataset;
  }

  /**
   * The number of clusters K.
   *
   * @return K
   */
  public int clusters() {
    return clusters;
  }

  /**
   * Per-channel normalisation mean.
   *
   * @return a copy of the three means
   */
  public float[] mean() {
    return mean.clone();
  }

  /**
   * Per-channel normalisation standard deviation.
   *
   * @return a copy of the three deviations
   */
  public float[] std() {
    return std.clone();
  }

  /**
   * Global epochs completed.
   *
   * @return the next epoch to train, 0-based
   */
  public int epoch() {
    return epoch;
  }

  /**
   * Batches completed inside the current epoch (non-zero only when stopped mid-epoch).
   *
   * @return the next batch to train, 0-based
   */
  public int batch() {
    return batch;
  }

  /**
   * Whether every configured epoch has been trained.
   *
   * @return true at the end of the run
   */
  public boolean finished() {
    return epoch >= config.epochs().total();
  }

  /**
   * The finished epochs, oldest first.
   *
   * @return an unmodifiable view
   */
  public List<EpochRecord> history() {
    return Collections.unmodifiableList(history);
  }

  /**
   * Total training time over every process that trained this run.
   *
   * @return seconds
   */
  public double trainingSeconds() {
    return trainingSeconds;
  }

  /**
   * The network.
   *
   * @return the live network
   */
  public PiciNetwork network() {
    return network;
  }

  /**
   * The parameter store for forward passes.
   *
   * @return the store
   */
  public ParameterStore parameterStore() {
    return parameterStore;
  }

  /**
   * The manager that owns the weights; inputs are created on it to share the device.
   *
   * @return the manager
   */
  public NDManager manager() {
    return manager;
  }

  Adam adam() {
    return adam;
  }

  PartialEpoch partial() {
    return partial;
  }

  int[][] pseudoLabels() {
    return pseudoLabels;
  }

  int pseudoLabelEpoch() {
    return pseudoLabelEpoch;
  }

  void setPseudoLabels(int[][] labels, int forEpoch) {
    this.pseudoLabels = labels;
    this.pseudoLabelEpoch = forEpoch;
  }

  void advanceBatch(PartialEpoch updated, double seconds) {
    batch++;
    partial = updated;
    trainingSeconds += seconds;
  }

  void finishEpoch(EpochRecord record) {
    history.add(record);
    epoch++;
    batch = 0;
    partial = PartialEpoch.EMPTY;
  }

  /**
   * Reads a parameter's values, for tests and diagnostics.
   *
   * @param name a stable parameter name
   * @return a copy of its values
   */
  public float[] weights(String name) {
    NDArray a = network.parameters().get(name).getArray();
    return a.toFloatArray();
  }

  @Override
  public void close() {
    manager.close();
  }
}
