package org.picilab.model.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Every setting of a training run. Names are the keys of configuration files and of {@code --set
 * key=value}; method.md gives the meaning and the source of each default.
 *
 * @param method the method to train; "pici" for now
 * @param imageSize input side in pixels (images are resized to it at load)
 * @param patchSize ViT patch side in pixels
 * @param dim encoder width
 * @param depth encoder blocks
 * @param heads encoder attention heads
 * @param mlpRatio MLP width as a multiple of the block width
 * @param decoderDim decoder width
 * @param decoderDepth decoder blocks
 * @param decoderHeads decoder attention heads
 * @param positions "sincos" (fixed 2-D, default) or "learned"
 * @param maskRatio fraction of patches dropped in training, every stage
 * @param evalMaskRatio fraction dropped at evaluation (0: none, the paper)
 * @param instanceDim width of the instance projection (128)
 * @param clusters number of clusters K; 0 takes the number of classes of a labeled data set
 * @param tauInstance instance temperature tau_I
 * @param tauCluster cluster temperature tau_C
 * @param batchSize samples per step (the last incomplete batch of an epoch is dropped)
 * @param lr Adam learning rate after warm-up
 * @param warmupEpochs linear warm-up length in epochs, counted from the start of the run
 * @param weightDecay L2 coefficient (0 in PICI)
 * @param epochs epochs of each stage
 * @param reconstructionWeight weight of PISD in the train stage (0 skips the decoder there)
 * @param cliLoss "probs" (Eq. 15, default) or "double-softmax" (the authors' code)
 * @param pseudoLabels "once" (default) or "every-epoch"
 * @param cliRestarts k-means restarts for the CLI pseudo-labels
 * @param views "paper", "byol" or "same"
 * @param augment the strong augmentation (and the only one for "same")
 * @param normalization "imagenet", "dataset" or "none"
 * @param predict "head" (default) or "kmeans" on h
 * @param evalBatchSize images per forward pass at evaluation
 * @param seed the run seed: initialisation, shuffling, augmentation, masking and k-means
 * @param checkpointEvery write a checkpoint every this many epochs (and at each stage end)
 */
public record RunConfig(
    String method,
    int imageSize,
    int patchSize,
    int dim,
    int depth,
    int heads,
    double mlpRatio,
    int decoderDim,
    int decoderDepth,
    int decoderHeads,
    Positions positions,
    double maskRatio,
    double evalMaskRatio,
    int instanceDim,
    int clusters,
    double tauInstance,
    double tauCluster,
    int batchSize,
    double lr,
    double warmupEpochs,
    double weightDecay,
    Epochs epochs,
    double reconstructionWeight,
    CliLossKind cliLoss,
    PseudoLabelPolicy pseudoLabels,
    int cliRestarts,
    ViewPolicy views,
    AugmentationSpec augment,
    NormalizationKind normalization,
    Prediction predict,
    int evalBatchSize,
    long seed,
    int checkpointEvery) {

  /** The methods this module can train. */
  public static final List<String> METHODS = List.of("pici");

  /**
   * Checks every value and the relations between them.
   *
   * @return this config
   * @throws ConfigException naming the first setting at fault
   */
  public RunConfig validate() {
    List<String[]> problems = new ArrayList<>();
    if (method == null || !METHODS.contains(method)) {
      problems.add(new String[] {"method", "must be one of " + METHODS + ", got " + method});
    }
    positive(problems, "imageSize", imageSize);
    positive(problems, "patchSize", patchSize);
    positive(problems, "dim", dim);
    positive(problems, "depth", depth);
    positive(problems, "heads", heads);
    positive(problems, "decoderDim", decoderDim);
    positive(problems, "decoderDepth", decoderDepth);
    positive(problems, "decoderHeads", decoderHeads);
    positive(problems, "instanceDim", instanceDim);
    positive(problems, "cliRestarts", cliRestarts);
    positive(problems, "evalBatchSize", evalBatchSize);
    positive(problems, "checkpointEvery", checkpointEvery);
    if (imageSize > 0 && patchSize > 0 && imageSize % patchSize != 0) {
      problems.add(
          new String[] {
            "patchSize", patchSize + " does not divide imageSize " + imageSize + "; pick a divisor"
          });
    }
    if (dim > 0 && heads > 0 && dim % heads != 0) {
      problems.add(new String[] {"heads", "dim " + dim + " is not divisible by heads " + heads});
    }
    if (decoderDim > 0 && decoderHeads > 0 && decoderDim % decoderHeads != 0) {
      problems.add(
          new String[] {
            "decoderHeads", "decoderDim " + decoderDim + " is not divisible by " + decoderHeads
          });
    }
    if (positions == Positions.SINCOS && (dim % 4 != 0 || decoderDim % 4 != 0)) {
      problems.add(
          new String[] {
            "positions", "sincos needs dim and decoderDim divisible by 4; use learned or resize"
          });
    }
    if (!(mlpRatio > 0)) {
      problems.add(new String[] {"mlpRatio", "must be positive, got " + mlpRatio});
    }
    if (!(maskRatio >= 0 && maskRatio < 1)) {
      problems.add(new String[] {"maskRatio", "must be in [0, 1), got " + maskRatio});
    }
    if (!(evalMaskRatio >= 0 && evalMaskRatio < 1)) {
      problems.add(new String[] {"evalMaskRatio", "must be in [0, 1), got " + evalMaskRatio});
    }
    if (clusters < 0 || clusters == 1) {
      problems.add(
          new String[] {
            "clusters", "must be 0 (number of classes) or at least 2, got " + clusters
          });
    }
    if (!(tauInstance > 0)) {
      problems.add(new String[] {"tauInstance", "must be positive, got " + tauInstance});
    }
    if (!(tauCluster > 0)) {
      problems.add(new String[] {"tauCluster", "must be positive, got " + tauCluster});
    }
    if (batchSize < 2) {
      problems.add(
          new String[] {"batchSize", "contrastive losses need at least 2, got " + batchSize});
    }
    if (!(lr > 0) || Double.isInfinite(lr)) {
      problems.add(new String[] {"lr", "must be a positive number, got " + lr});
    }
    if (!(warmupEpochs >= 0)) {
      problems.add(new String[] {"warmupEpochs", "must be 0 or more, got " + warmupEpochs});
    }
    if (!(weightDecay >= 0)) {
      problems.add(new String[] {"weightDecay", "must be 0 or more, got " + weightDecay});
    }
    if (!(reconstructionWeight >= 0)) {
      problems.add(
          new String[] {"reconstructionWeight", "must be 0 or more, got " + reconstructionWeight});
    }
    if (epochs == null) {
      problems.add(new String[] {"epochs", "is required: {pretrain, train, boost}"});
    } else {
      nonNegative(problems, "epochs.pretrain", epochs.pretrain());
      nonNegative(problems, "epochs.train", epochs.train());
      nonNegative(problems, "epochs.boost", epochs.boost());
      if (epochs.total() == 0) {
        problems.add(new String[] {"epochs", "all three stages have 0 epochs; nothing to train"});
      } else if (epochs.train() + epochs.boost() == 0 && predict == Prediction.HEAD) {
        problems.add(
            new String[] {
              "predict",
              "the cluster head is never trained with 0 train and boost epochs;"
                  + " set predict: kmeans to cluster the pre-trained representations"
            });
      }
    }
    required(problems, "positions", positions);
    required(problems, "cliLoss", cliLoss);
    required(problems, "pseudoLabels", pseudoLabels);
    required(problems, "views", views);
    required(problems, "augment", augment);
    required(problems, "normalization", normalization);
    required(problems, "predict", predict);
    if (!problems.isEmpty()) {
      String[] first = problems.get(0);
      throw new ConfigException(first[0], first[1]);
    }
    return this;
  }

  private static void positive(List<String[]> problems, String field, int value) {
    if (value <= 0) {
      problems.add(new String[] {field, "must be a positive whole number, got " + value});
    }
  }

  private static void nonNegative(List<String[]> problems, String field, int value) {
    if (value < 0) {
      problems.add(new String[] {field, "must be 0 or more, got " + value});
    }
  }

  private static void required(List<String[]> problems, String field, Object value) {
    if (value == null) {
      problems.add(new String[] {field, "is required"});
    }
  }

  /**
   * The network sizes for a given number of clusters.
   *
   * @param k the resolved number of clusters
   * @return the network spec
   */
  public NetworkSpec network(int k) {
    return new NetworkSpec(
        imageSize,
        patchSize,
        dim,
        depth,
        heads,
        mlpRatio,
        decoderDim,
        decoderDepth,
        decoderHeads,
        positions,
        instanceDim,
        k);
  }

  /**
   * A copy with other epochs.
   *
   * @param e the epochs
   * @return the new config
   */
  public RunConfig withEpochs(Epochs e) {
    return ConfigLoader.with(this, "epochs", e);
  }

  /**
   * A copy with another seed.
   *
   * @param s the seed
   * @return the new config
   */
  public RunConfig withSeed(long s) {
    return ConfigLoader.with(this, "seed", s);
  }
}
