package org.picilab.model.train;

import java.io.IOException;

/**
 * Where the stage runner hands the state to be saved: after every {@code checkpointEvery} epochs,
 * at the end of each range it was asked to run, and when it is cancelled between batches.
 */
@FunctionalInterface
public interface CheckpointSink {

  /**
   * Saves the run's current state. The run must not be modified during the call.
   *
   * @param run the run, positioned at an epoch or batch boundary
   * @throws IOException when the state cannot be stored; training stops with it
   */
  void save(TrainingRun run) throws IOException;
}
