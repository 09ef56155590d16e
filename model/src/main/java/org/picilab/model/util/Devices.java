package org.picilab.model.util;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;

/** The {@code --device} option of every command that trains. */
public final class Devices {

  private Devices() {}

  /**
   * Parses a device name.
   *
   * @param name "auto" (a GPU when the engine sees one), "cpu" or "gpu"
   * @return the device
   * @throws IllegalArgumentException for another name, or "gpu" when the engine sees none
   */
  public static Device parse(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "cpu" -> Device.cpu();
      case "gpu" -> {
        if (Engine.getInstance().getGpuCount() == 0) {
          throw new IllegalArgumentException(
              "--device gpu: the engine sees no GPU. Install the CUDA build of libtorch and set"
                  + " PYTORCH_LIBRARY_PATH (see the README), or use --device cpu");
        }
        yield Device.gpu();
      }
      case "auto" -> Engine.getInstance().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
      default ->
          throw new IllegalArgumentException(
              "--device must be auto, cpu or gpu, got '" + name + "'");
    };
  }
}
