package org.picilab.activities.cli;

import java.io.IOException;
import org.picilab.platform.service.RunService;
import org.picilab.platform.service.SweepService;
import org.picilab.platform.stack.Platform;
import org.picilab.platform.stack.PlatformSettings;

/** The connections and services a client command needs, opened once and closed at the end. */
final class Session implements AutoCloseable {

  private final Platform platform;
  private SweepService sweeps;
  private RunService runs;

  private Session(Platform platform) {
    this.platform = platform;
  }

  static Session open(String role) throws IOException {
    PlatformSettings settings = PlatformSettings.resolve(System.getenv());
    return new Session(Platform.connect(settings, Platform.identity(role)));
  }

  Platform platform() {
    return platform;
  }

  SweepService sweeps() throws IOException {
    if (sweeps == null) {
      sweeps = SweepService.of(platform);
    }
    return sweeps;
  }

  RunService runs() throws IOException {
    if (runs == null) {
      runs = RunService.of(platform);
    }
    return runs;
  }

  @Override
  public void close() {
    platform.close();
  }
}
