package org.picilab.workflows;

/**
 * What preparing a run found: its epochs, its tracking run, and where its checkpoints stand.
 *
 * @param trackingRunId the tracked run (reused when a run is resumed)
 * @param pretrainEpochs epochs of the pretrain stage
 * @param trainEpochs epochs of the train stage
 * @param boostEpochs epochs of the boost stage
 * @param numImages images in the data set
 * @param clusters K
 * @param checkpointEpoch global epochs completed by the newest checkpoint, 0 without one
 */
public record RunPlan(
    String trackingRunId,
    int pretrainEpochs,
    int trainEpochs,
    int boostEpochs,
    int numImages,
    int clusters,
    int checkpointEpoch) {

  /**
   * Epochs of a stage.
   *
   * @param stage "pretrain", "train" or "boost"
   * @return its epochs
   */
  public int epochs(String stage) {
    return switch (stage) {
      case Stages.PRETRAIN -> pretrainEpochs;
      case Stages.TRAIN -> trainEpochs;
      case Stages.BOOST -> boostEpochs;
      default -> throw new IllegalArgumentException("unknown stage " + stage);
    };
  }

  /**
   * Epochs of the whole run.
   *
   * @return the sum over stages
   */
  public int totalEpochs() {
    return pretrainEpochs + trainEpochs + boostEpochs;
  }
}
