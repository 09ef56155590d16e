package org.picilab.web;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.picilab.platform.service.RunService;
import org.picilab.platform.service.SweepService;
import org.picilab.platform.stack.Platform;
import org.picilab.platform.stack.PlatformSettings;

/**
 * The platform's connections and services for the app, opened on first use from the same settings
 * as the command line: the environment ({@code PICI_HOME}, {@code TEMPORAL_ADDRESS}, {@code
 * PICI_DB_URL}, ...) and the stack file that {@code pici up} writes; {@code pici.home} overrides
 * {@code PICI_HOME}.
 */
@ApplicationScoped
public class PlatformServices {

  private final Optional<String> home;
  private Platform platform;
  private SweepService sweeps;
  private RunService runs;

  PlatformServices(@ConfigProperty(name = "pici.home") Optional<String> home) {
    this.home = home;
  }

  private synchronized void open() {
    if (platform != null) {
      return;
    }
    Map<String, String> env = new HashMap<>(System.getenv());
    home.filter(h -> !h.isBlank()).ifPresent(h -> env.put("PICI_HOME", h));
    try {
      Platform p = Platform.connect(PlatformSettings.resolve(env), Platform.identity("web"));
      sweeps = SweepService.of(p);
      runs = RunService.of(p);
      platform = p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The sweep service.
   *
   * @return the service
   */
  public synchronized SweepService sweeps() {
    open();
    return sweeps;
  }

  /**
   * The run service.
   *
   * @return the service
   */
  public synchronized RunService runs() {
    open();
    return runs;
  }

  synchronized void close(@Observes ShutdownEvent event) {
    if (platform != null) {
      platform.close();
      platform = null;
    }
  }
}
