package org.picilab.model.train;

/**
 * A loss became NaN or infinite. Training stops before the bad gradients touch the weights, so the
 * newest checkpoint is still good; retrying the same configuration would fail the same way.
 */
public class DivergenceException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String loss;
  private final Stage stage;
  private final int stageEpoch;

  /**
   * Creates the exception.
   *
   * @param loss the loss component that went non-finite
   * @param stage the stage
   * @param stageEpoch 0-based epoch within the stage
   * @param batch 0-based batch within the epoch
   * @param value the value seen
   * @param learningRate the learning rate of that step
   */
  public DivergenceException(
      String loss, Stage stage, int stageEpoch, int batch, double value, double learningRate) {
    super(
        "The "
            + loss
            + " loss became "
            + value
            + " in the "
            + stage.optionName()
            + " stage at epoch "
            + (stageEpoch + 1)
            + " (batch "
            + (batch + 1)
            + ", learning rate "
            + learningRate
            + "). The weights were not updated with it and the last checkpoint is intact. "
            + "Lower lr or lengthen warmupEpochs, then resume or start again.");
    this.loss = loss;
    this.stage = stage;
    this.stageEpoch = stageEpoch;
  }

  /**
   * The loss component that diverged.
   *
   * @return e.g. "instance"
   */
  public String loss() {
    return loss;
  }

  /**
   * The stage it happened in.
   *
   * @return the stage
   */
  public Stage stage() {
    return stage;
  }

  /**
   * The 0-based epoch within the stage.
   *
   * @return the epoch
   */
  public int stageEpoch() {
    return stageEpoch;
  }
}
