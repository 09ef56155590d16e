package org.picilab.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.picilab.model.config.RunConfig;
import org.picilab.model.data.ImageDataset;

/**
 * Two runs train at the same time in one JVM, as in-process workers do, and each ends exactly as it
 * does alone: autograd state does not leak between threads.
 */
class ConcurrentTrainingTest {

  @Test
  void twoThreadsTrainIndependently() throws Exception {
    RunConfig a = TrainingFixtures.tiny("seed=1");
    RunConfig b = TrainingFixtures.tiny("seed=2");
    ImageDataset data = TrainingFixtures.data(a);
    try (TrainingRun aloneA = TrainingFixtures.newRun(a, data);
        TrainingRun aloneB = TrainingFixtures.newRun(b, data);
        TrainingRun togetherA = TrainingFixtures.newRun(a, data);
        TrainingRun togetherB = TrainingFixtures.newRun(b, data)) {
      new StageRunner(data, TrainingListener.NONE, () -> false, null).runAll(aloneA);
      new StageRunner(data, TrainingListener.NONE, () -> false, null).runAll(aloneB);
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        List<Future<?>> both =
            List.of(
                pool.submit(
                    () ->
                        new StageRunner(data, TrainingListener.NONE, () -> false, null)
                            .runAll(togetherA)),
                pool.submit(
                    () ->
                        new StageRunner(data, TrainingListener.NONE, () -> false, null)
                            .runAll(togetherB)));
        for (Future<?> f : both) {
          f.get();
        }
      } finally {
        pool.shutdown();
      }
      assertTrue(togetherA.finished() && togetherB.finished());
      double da = TrainingFixtures.relativeDifference(aloneA, togetherA);
      double db = TrainingFixtures.relativeDifference(aloneB, togetherB);
      assertTrue(da <= ResumeEquivalenceTest.TOLERANCE, "run A differs by " + da);
      assertTrue(db <= ResumeEquivalenceTest.TOLERANCE, "run B differs by " + db);
      assertEquals(
          ResumeEquivalenceTest.numbers(aloneA.history()),
          ResumeEquivalenceTest.numbers(togetherA.history()));
    }
  }
}
