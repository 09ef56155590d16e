package org.picilab.model.train;

/**
 * A loss or a gradient became NaN or infinite. Training stops before the bad gradients touch the
 * weights, so the newest checkpoint is still good; retrying the same configuration would fail the
 * same way.
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

  private DivergenceException(String message, String loss, Stage stage, int stageEpoch) {
    super(message);
    this.loss = loss;
    this.stage = stage;
    this.stageEpoch = stageEpoch;
  }

  /**
   * A gradient that is not finite, found before the optimizer step that would have applied it.
   *
   * @param parameter the parameter's name
   * @param nan how many of its gradient's values are NaN
   * @param infinite how many are infinite
   * @param size how many values it has
   * @param stage the stage
   * @param stageEpoch 0-based epoch within the stage
   * @param batch 0-based batch within the epoch
   * @param learningRate the learning rate of that step
   * @return the exception; {@link #loss()} is {@code "gradient of <parameter>"}
   */
  public static DivergenceException gradient(
      String parameter,
      long nan,
      long infinite,
      long size,
      Stage stage,
      int stageEpoch,
      int batch,
      double learningRate) {
    String what = "gradient of " + parameter;
    return new DivergenceException(
        "The "
            + what
            + " is not finite ("
            + (nan > 0 ? nan + " NaN" : "")
            + (nan > 0 && infinite > 0 ? " and " : "")
            + (infinite > 0 ? infinite + " infinite" : "")
            + " of "
            + size
            + " values) in the "
            + stage.optionName()
            + " stage at epoch "
            + (stageEpoch + 1)
            + " (batch "
            + (batch + 1)
            + ", learning rate "
            + learningRate
            + "), though the loss was finite. The weights were not updated with it and the last"
            + " checkpoint is intact. Lower lr or lengthen warmupEpochs, then resume or start"
            + " again.",
        what,
        stage,
        stageEpoch);
  }

  /**
   * The loss component that diverged.
   *
   * @return e.g. "instance", or "gradient of encoder.block0.attention.qkv.weight" for a gradient
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
