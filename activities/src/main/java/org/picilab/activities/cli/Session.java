package org.picilab.activities.cli;

import java.io.IOException;
import org.picilab.activities.platform.Platform;
import org.picilab.activities.platform.PlatformSettings;
import org.picilab.activities.registry.Registry;

/** The connections a client command needs, opened once and closed at the end. */
final class Session implements AutoCloseable {

  private final Platform platform;

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

  Registry registry() {
    return new Registry(platform.store());
  }

  @Override
  public void close() {
    platform.close();
  }
}
