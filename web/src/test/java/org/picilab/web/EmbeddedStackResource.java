package org.picilab.web;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.picilab.platform.db.SweepRecord;
import org.picilab.platform.stack.EmbeddedStack;
import org.picilab.platform.stack.Platform;
import org.picilab.platform.stack.PlatformSettings;
import org.picilab.workflows.sweep.SearchSpace;
import org.picilab.workflows.sweep.SweepPhase;
import org.picilab.workflows.sweep.SweepSpec;
import org.picilab.workflows.sweep.SweepSpecParser;

/**
 * Starts the real embedded stack (Temporal's test server and the S3 endpoint on loopback, the
 * SQLite database of record) in a fresh home, writes its stack file as {@code pici up} does, and
 * records one finished sweep of 6 trials in the database; the app finds it all through {@code
 * pici.home}.
 */
public class EmbeddedStackResource implements QuarkusTestResourceLifecycleManager {

  static final String SWEEP = "sweep-webtest-abcd1234";

  private Path home;
  private EmbeddedStack stack;

  @Override
  public Map<String, String> start() {
    try {
      home = Files.createTempDirectory("pici-web-test");
      PlatformSettings base = PlatformSettings.defaults(home);
      stack = EmbeddedStack.start(base, true, 0, true, 0);
      stack.settings().writeStackFile(ProcessHandle.current().pid());
      SweepSpec spec =
          SweepSpecParser.parse(
              """
              name: webtest
              dataset: digits
              preset: tiny
              search: {space: {lr: [0.001, 0.002, 0.003]}}
              seeds: [1, 2]
              """);
      try (Platform p = Platform.connect(stack.settings(), Platform.identity("web-test"))) {
        long now = System.currentTimeMillis();
        p.records()
            .createSweep(
                new SweepRecord(
                    SWEEP,
                    "webtest",
                    spec,
                    SweepPhase.COMPLETED,
                    6,
                    2,
                    null,
                    "abc",
                    null,
                    now,
                    now,
                    now),
                SearchSpace.trials(spec),
                now);
      }
      return Map.of("pici.home", home.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void stop() {
    if (stack != null) {
      stack.close();
    }
    if (home != null) {
      try (Stream<Path> files = Files.walk(home)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (IOException e) {
        // A temporary folder left behind.
      }
    }
  }
}
