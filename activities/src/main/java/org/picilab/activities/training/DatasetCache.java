package org.picilab.activities.training;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.picilab.model.data.Datasets;
import org.picilab.model.data.ImageDataset;

/**
 * Keeps the last few loaded data sets of a worker, so that the stages of a run (and the runs of a
 * sweep on the same data) do not decode the images again for every activity.
 *
 * <p>Each data set is loaded once, by the first activity that asks for it, on that activity's
 * thread (whose heartbeat pump keeps it alive meanwhile); others asking for the same data set wait
 * for that load, while a load of another data set goes on at the same time. A load that fails is
 * forgotten, so the next activity tries again.
 */
public final class DatasetCache {

  /** Loads a data set; {@link Datasets#load(String, int)} on workers. */
  @FunctionalInterface
  public interface Loader {
    /**
     * Loads a data set.
     *
     * @param spec the data argument
     * @param imageSize the model's image size
     * @return the images
     */
    ImageDataset load(String spec, int imageSize);
  }

  private final int capacity;
  private final Loader loader;

  /** Loaded and loading data sets, least recently used first; guarded by {@code this}. */
  private final Map<String, CompletableFuture<ImageDataset>> cache;

  /**
   * Creates a cache that loads with {@link Datasets#load(String, int)}.
   *
   * @param capacity data sets kept, least recently used dropped first
   */
  public DatasetCache(int capacity) {
    this(capacity, Datasets::load);
  }

  /**
   * Creates a cache.
   *
   * @param capacity data sets kept, least recently used dropped first
   * @param loader loads a data set that is not cached
   */
  public DatasetCache(int capacity, Loader loader) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
    }
    this.capacity = capacity;
    this.loader = loader;
    this.cache = new LinkedHashMap<>(8, 0.75f, true);
  }

  /**
   * Loads or reuses a data set. Waits while another thread loads the same one.
   *
   * @param spec the data argument
   * @param imageSize the model's image size
   * @return the images
   * @throws RuntimeException what the loader threw (for this call or the load it waited for)
   */
  public ImageDataset get(String spec, int imageSize) {
    String key = spec + "@" + imageSize;
    CompletableFuture<ImageDataset> mine = new CompletableFuture<>();
    CompletableFuture<ImageDataset> future;
    synchronized (this) {
      future = cache.get(key);
      if (future == null) {
        future = mine;
        cache.put(key, mine);
        evictBeyondCapacity(key);
      }
    }
    if (future == mine) {
      try {
        mine.complete(loader.load(spec, imageSize));
      } catch (RuntimeException | Error e) {
        synchronized (this) {
          cache.remove(key, mine);
        }
        mine.completeExceptionally(e);
        throw e;
      }
    }
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }

  private void evictBeyondCapacity(String keep) {
    Iterator<String> eldest = cache.keySet().iterator();
    while (cache.size() > capacity && eldest.hasNext()) {
      if (!eldest.next().equals(keep)) {
        // Whoever waits for an evicted load still gets it; only the cache forgets it.
        eldest.remove();
      }
    }
  }
}
