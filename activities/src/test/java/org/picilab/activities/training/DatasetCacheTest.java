package org.picilab.activities.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.picilab.model.data.DataException;
import org.picilab.model.data.ImageDataset;

class DatasetCacheTest {

  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final Map<String, AtomicInteger> loads = new ConcurrentHashMap<>();
  private final CountDownLatch releaseA = new CountDownLatch(1);
  private final CountDownLatch loadingA = new CountDownLatch(1);

  private ImageDataset load(String spec, int size) {
    loads.computeIfAbsent(spec, k -> new AtomicInteger()).incrementAndGet();
    if (spec.equals("a")) {
      loadingA.countDown();
      try {
        releaseA.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (spec.equals("broken") && loads.get(spec).get() == 1) {
      throw new DataException(java.nio.file.Path.of("broken"), "no images");
    }
    return ImageDataset.ofBytes(
        spec, 1, List.of("x"), List.of(new byte[] {1, 2, 3}), null, List.of());
  }

  @AfterEach
  void stop() {
    releaseA.countDown();
    threads.shutdownNow();
  }

  @Test
  @Timeout(30)
  void aSlowLoadDoesNotBlockAnotherDataSet() throws Exception {
    DatasetCache cache = new DatasetCache(2, this::load);
    Future<ImageDataset> a = threads.submit(() -> cache.get("a", 1));
    assertTrue(loadingA.await(10, TimeUnit.SECONDS));
    Future<ImageDataset> b = threads.submit(() -> cache.get("b", 1));
    assertEquals("b", b.get(5, TimeUnit.SECONDS).name(), "b loaded while a was loading");
    assertFalse(a.isDone(), "a is still loading");
    // A second ask for a waits for the same load instead of loading again.
    Future<ImageDataset> a2 = threads.submit(() -> cache.get("a", 1));
    Thread.sleep(100);
    releaseA.countDown();
    assertSame(a.get(5, TimeUnit.SECONDS), a2.get(5, TimeUnit.SECONDS));
    assertEquals(1, loads.get("a").get());
    assertSame(a.get(), cache.get("a", 1), "cached");
    assertEquals(1, loads.get("a").get());
  }

  @Test
  void aFailedLoadIsForgottenAndTriedAgain() {
    DatasetCache cache = new DatasetCache(2, this::load);
    DataException e = assertThrows(DataException.class, () -> cache.get("broken", 1));
    assertTrue(e.getMessage().contains("no images"), e.getMessage());
    assertEquals("broken", cache.get("broken", 1).name());
    assertEquals(2, loads.get("broken").get());
  }

  @Test
  void keepsTheMostRecentlyUsed() {
    DatasetCache cache = new DatasetCache(2, this::load);
    cache.get("b", 1);
    cache.get("c", 1);
    cache.get("b", 1);
    cache.get("d", 1); // drops c, the least recently used
    cache.get("b", 1);
    cache.get("c", 1);
    assertEquals(1, loads.get("b").get());
    assertEquals(2, loads.get("c").get());
  }
}
