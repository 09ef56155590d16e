package org.picilab.model.util;

/**
 * Derives independent seeds from a run seed and a path of integers (epoch, batch, sample, view), so
 * that every random draw of training is a pure function of where it happens. That is what lets a
 * resumed run repeat exactly the draws of a run that never stopped.
 */
public final class Seeds {

  private Seeds() {}

  /**
   * Mixes a seed with a sequence of coordinates.
   *
   * @param seed the base seed
   * @param path coordinates, e.g. (purpose, epoch, sample, view)
   * @return a well-mixed 64-bit seed
   */
  public static long derive(long seed, long... path) {
    long h = mix(seed ^ 0x243F6A8885A308D3L);
    for (long p : path) {
      h = mix(h ^ mix(p + 0x9E3779B97F4A7C15L));
    }
    return h;
  }

  /** The SplitMix64 finaliser: a bijection with good avalanche behaviour. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
