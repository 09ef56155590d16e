package org.picilab.activities.training;

import java.util.LinkedHashMap;
import java.util.Map;
import org.picilab.model.data.Datasets;
import org.picilab.model.data.ImageDataset;

/**
 * Keeps the last few loaded data sets of a worker, so that the stages of a run (and the runs of a
 * sweep on the same data) do not decode the images again for every activity.
 */
public final class DatasetCache {

  private final int capacity;
  private final Map<String, ImageDataset> cache;

  /**
   * Creates a cache.
   *
   * @param capacity data sets kept, least recently used dropped first
   */
  public DatasetCache(int capacity) {
    this.capacity = capacity;
    this.cache = new LinkedHashMap<>(8, 0.75f, true);
  }

  /**
   * Loads or reuses a data set.
   *
   * @param spec the data argument
   * @param imageSize the model's image size
   * @return the images
   */
  public synchronized ImageDataset get(String spec, int imageSize) {
    String key = spec + "@" + imageSize;
    ImageDataset data = cache.get(key);
    if (data == null) {
      data = Datasets.load(spec, imageSize);
      cache.put(key, data);
      while (cache.size() > capacity) {
        String eldest = cache.keySet().iterator().next();
        cache.remove(eldest);
      }
    }
    return data;
  }
}
