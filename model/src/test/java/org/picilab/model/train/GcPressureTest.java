package org.picilab.model.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.picilab.model.config.RunConfig;
import org.picilab.model.data.ImageDataset;

/**
 * Training gives the same numbers whether or not the garbage collector is busy. This guards against
 * tensors that use memory of Java direct buffers after the collector freed them (see {@code
 * Scalars}): with that bug, a run under allocation pressure diverged or turned NaN within a few
 * batches while a calm run did not.
 */
class GcPressureTest {

  @Test
  void resultsDoNotDependOnGarbageCollection() throws InterruptedException {
    RunConfig c = TrainingFixtures.tiny("epochs.pretrain=2", "epochs.train=2", "epochs.boost=1");
    ImageDataset data = TrainingFixtures.data(c);
    try (TrainingRun calm = TrainingFixtures.newRun(c, data);
        TrainingRun pressed = TrainingFixtures.newRun(c, data)) {
      new StageRunner(data, TrainingListener.NONE, () -> false, null).runAll(calm);
      AtomicBoolean stop = new AtomicBoolean();
      Thread garbage =
          new Thread(
              () -> {
                List<byte[]> keep = new ArrayList<>();
                long n = 0;
                while (!stop.get()) {
                  keep.add(new byte[1 << 16]);
                  if (keep.size() > 200) {
                    keep.clear();
                  }
                  if (++n % 1000 == 0) {
                    System.gc();
                  }
                }
              });
      garbage.setDaemon(true);
      garbage.start();
      try {
        new StageRunner(data, TrainingListener.NONE, () -> false, null).runAll(pressed);
      } finally {
        stop.set(true);
        garbage.join();
      }
      double diff = TrainingFixtures.relativeDifference(calm, pressed);
      assertTrue(diff <= ResumeEquivalenceTest.TOLERANCE, "difference under GC pressure: " + diff);
    }
  }
}
