package org.picilab.model.train;

/**
 * Receives progress from the stage runner. Every method has a default that ignores the event.
 * Methods run on the training thread between batches, so they must return quickly.
 */
public interface TrainingListener {

  /**
   * A stage range is about to start.
   *
   * @param stage the stage
   * @param fromEpoch first stage epoch to run (0-based)
   * @param toEpoch stage epoch to stop before
   * @param batchesPerEpoch batches per epoch
   */
  default void onStageStart(Stage stage, int fromEpoch, int toEpoch, int batchesPerEpoch) {}

  /**
   * A batch finished.
   *
   * @param progress where training stands
   */
  default void onBatch(BatchProgress progress) {}

  /**
   * An epoch finished (before its checkpoint, if any, is written).
   *
   * @param record what the epoch did
   */
  default void onEpoch(EpochRecord record) {}

  /**
   * Longer work outside the batch loop, such as computing pseudo-labels.
   *
   * @param message what is happening, for people
   */
  default void onPhase(String message) {}

  /** A listener that ignores everything. */
  TrainingListener NONE = new TrainingListener() {};
}
