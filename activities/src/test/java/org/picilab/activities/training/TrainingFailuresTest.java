package org.picilab.activities.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.EngineException;
import io.temporal.activity.ActivityOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.picilab.platform.store.EmbeddedS3;
import org.picilab.platform.store.S3ObjectStore;
import org.picilab.platform.store.S3Settings;
import org.picilab.platform.tracking.LocalTracker;
import org.picilab.platform.tracking.ParamConflictException;
import org.picilab.workflows.Execution;
import org.picilab.workflows.FailureTypes;
import org.picilab.workflows.RunRequest;
import org.picilab.workflows.TrainingActivities;

/**
 * Deterministic errors become non-retryable failures of the expected type, through the real
 * training activities in Temporal's activity test environment.
 */
class TrainingFailuresTest {

  @TempDir Path root;
  private EmbeddedS3 s3;
  private S3ObjectStore store;
  private TestActivityEnvironment env;

  private TrainingActivities activities(String artifactRoot) {
    LocalTracker tracker = new LocalTracker(root.resolve("mlruns"), artifactRoot);
    env.registerActivitiesImplementations(
        new TrainingActivitiesImpl(
            store,
            bucket -> store,
            tracker,
            Duration.ofMinutes(10),
            new DatasetCache(1),
            Device.cpu(),
            "test-worker"));
    return env.newActivityStub(
        TrainingActivities.class,
        ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofMinutes(5))
            .setHeartbeatTimeout(Duration.ofSeconds(30))
            .build());
  }

  @BeforeEach
  void start() throws IOException {
    s3 = EmbeddedS3.start(root.resolve("s3"), 0, "a", "failures-secret");
    store =
        S3ObjectStore.connect(
            new S3Settings(s3.endpoint(), "a", "failures-secret", "pici", "us-east-1"));
    env = TestActivityEnvironment.newInstance();
  }

  @AfterEach
  void stop() throws Exception {
    env.close();
    store.close();
    s3.close();
  }

  private static RunRequest request(String dataset, Map<String, String> parameters) {
    return new RunRequest(
        "run-failures",
        null,
        0,
        "default",
        "pici",
        dataset,
        "tiny",
        parameters,
        1,
        null,
        new Execution(30, 3, 2));
  }

  private static ApplicationFailure failure(Executable call) {
    ActivityFailure e = assertThrows(ActivityFailure.class, call);
    return assertInstanceOf(ApplicationFailure.class, e.getCause());
  }

  @Test
  void aBadSettingIsFinalAndNamesTheSetting() {
    TrainingActivities a = activities("s3://pici/mlruns");
    ApplicationFailure f = failure(() -> a.prepare(request("digits", Map.of("lr", "fast"))));
    assertEquals(FailureTypes.BAD_CONFIGURATION, f.getType());
    assertTrue(f.isNonRetryable());
    assertTrue(f.getOriginalMessage().contains("lr"), f.getOriginalMessage());
  }

  @Test
  void unreadableDataIsFinal() {
    TrainingActivities a = activities("s3://pici/mlruns");
    ApplicationFailure f =
        failure(() -> a.prepare(request(root.resolve("no-such-folder").toString(), Map.of())));
    assertEquals(FailureTypes.UNREADABLE_DATA, f.getType());
    assertTrue(f.isNonRetryable());
    assertTrue(f.getOriginalMessage().contains("no-such-folder"), f.getOriginalMessage());
  }

  @Test
  void aTrackedRunWithOtherParametersIsFinal() throws Exception {
    TrainingActivities a = activities("s3://pici/mlruns");
    LocalTracker tracker = new LocalTracker(root.resolve("mlruns"), "s3://pici/mlruns");
    String experiment = tracker.experiment(TrainingActivitiesImpl.STANDALONE_EXPERIMENT);
    String tracked =
        tracker.startRun(
            experiment,
            "run-failures",
            null,
            Map.of(TrainingActivitiesImpl.RUN_TAG, "run-failures"));
    Map<String, String> params =
        new LinkedHashMap<>(
            TrainingActivitiesImpl.flatten(
                TrainingActivitiesImpl.config(request("digits", Map.of()))));
    params.put("lr", "0.123");
    tracker.logParams(tracked, params);
    ApplicationFailure f = failure(() -> a.prepare(request("digits", Map.of())));
    assertEquals(FailureTypes.TRACKING_CONFLICT, f.getType());
    assertTrue(f.isNonRetryable());
    assertTrue(f.getOriginalMessage().contains("'lr'"), f.getOriginalMessage());
  }

  @Test
  void runningOutOfMemoryIsFinalAndSaysWhatToDo() {
    for (Throwable oom :
        new Throwable[] {
          new OutOfMemoryError("Java heap space"),
          new EngineException(
              "CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 15.78 GiB total capacity)"),
          new IllegalStateException(
              "training failed", new EngineException("CUDA out of memory. Tried to allocate"))
        }) {
      RuntimeException mapped = FailureMapping.map("run-x", "gpu(0)", oom);
      ApplicationFailure f = assertInstanceOf(ApplicationFailure.class, mapped);
      assertEquals(FailureTypes.OUT_OF_MEMORY, f.getType());
      assertTrue(f.isNonRetryable());
      assertTrue(f.getOriginalMessage().contains("lower batchSize"), f.getOriginalMessage());
    }
    RuntimeException transientError = new IllegalStateException("connection reset");
    assertEquals(transientError, FailureMapping.map("run-x", "cpu()", transientError));
    assertInstanceOf(
        ApplicationFailure.class,
        FailureMapping.map("run-x", "cpu()", new ParamConflictException("Run r already has")));
  }
}
