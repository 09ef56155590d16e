package org.picilab.model.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads an ImageFolder-style directory into an {@link ImageDataset}.
 *
 * <p>Two layouts are accepted. Labeled: the root holds only subfolders, one per class, whose sorted
 * names are the class names; images are found anywhere below each class folder, as torchvision's
 * ImageFolder does. Flat (unlabeled): the root holds image files directly. Hidden entries (names
 * starting with a dot) and files of other types are ignored, so that {@code .DS_Store} or a {@code
 * README.md} beside the images does no harm.
 */
final class ImageFolderLoader {

  private static final Logger LOG = LoggerFactory.getLogger(ImageFolderLoader.class);

  /** The file types read, compared in lower case. */
  static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp");

  private ImageFolderLoader() {}

  /** One image to decode: its file, its id and its label (-1 when flat). */
  private record Entry(Path file, String id, int label) {}

  static ImageDataset load(Path root, int imageSize, LoadProgress progress) {
    long t0 = System.nanoTime();
    if (!Files.isDirectory(root)) {
      String what = Files.exists(root) ? "is not a folder" : "does not exist";
      throw new DataException(
          root,
          "Data set folder "
              + root.toAbsolutePath()
              + " "
              + what
              + ". Give the path of a folder of images (or of one subfolder per class), or a"
              + " built-in data set: 'digits' or 'shapes:K'.");
    }
    List<Path> children = visibleChildren(root);
    List<Path> folders = children.stream().filter(Files::isDirectory).toList();
    List<Path> images = children.stream().filter(ImageFolderLoader::isImageFile).toList();

    List<Entry> entries = new ArrayList<>();
    List<String> classNames;
    if (!folders.isEmpty() && !images.isEmpty()) {
      throw new DataException(
          root,
          "Data set folder "
              + root
              + " holds both image files (e.g. "
              + images.get(0).getFileName()
              + ") and subfolders (e.g. "
              + folders.get(0).getFileName()
              + "/). Use one layout: either one subfolder per class with every image inside one,"
              + " or only image files for an unlabeled data set.");
    } else if (!folders.isEmpty()) {
      classNames = new ArrayList<>();
      for (Path folder : folders) {
        classNames.add(folder.getFileName().toString());
      }
      for (int label = 0; label < folders.size(); label++) {
        Path folder = folders.get(label);
        List<Path> files = imagesBelow(folder);
        if (files.isEmpty()) {
          throw new DataException(
              folder,
              "Class folder "
                  + folder
                  + " holds no images (png, jpg, jpeg or bmp). Add its images or remove the"
                  + " folder: every subfolder of "
                  + root
                  + " is taken as a class.");
        }
        for (Path file : files) {
          entries.add(new Entry(file, relativeId(root, file), label));
        }
      }
    } else if (!images.isEmpty()) {
      classNames = List.of();
      for (Path file : images) {
        entries.add(new Entry(file, relativeId(root, file), -1));
      }
    } else {
      throw new DataException(
          root,
          "Data set folder "
              + root
              + " holds no images (png, jpg, jpeg or bmp) and no class subfolders. Put the"
              + " images in it, or one subfolder of images per class.");
    }

    byte[][] pixels = decodeAll(entries, imageSize, progress);
    List<String> ids = entries.stream().map(Entry::id).toList();
    int[] labels = null;
    if (!classNames.isEmpty()) {
      labels = entries.stream().mapToInt(Entry::label).toArray();
    }
    Path fileName = root.toAbsolutePath().normalize().getFileName();
    String name = fileName == null ? root.toString() : fileName.toString();
    ImageDataset dataset = new ImageDataset(name, imageSize, ids, pixels, labels, classNames);
    LOG.info(
        "Read {} images from {} ({}) at {} px in {} ms",
        dataset.size(),
        root,
        labels == null ? "unlabeled" : classNames.size() + " classes",
        imageSize,
        (System.nanoTime() - t0) / 1_000_000);
    return dataset;
  }

  /** Non-hidden entries of a folder, sorted by name. */
  private static List<Path> visibleChildren(Path folder) {
    try (Stream<Path> s = Files.list(folder)) {
      return s.filter(p -> !isHidden(p))
          .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
          .toList();
    } catch (IOException e) {
      throw new DataException(
          folder, "Cannot list folder " + folder + " (" + e + "). Check its permissions.", e);
    }
  }

  /** Image files anywhere below a class folder, sorted by path, skipping hidden entries. */
  private static List<Path> imagesBelow(Path folder) {
    try (Stream<Path> s = Files.walk(folder, FileVisitOption.FOLLOW_LINKS)) {
      return s.filter(p -> !hasHiddenPart(folder, p))
          .filter(ImageFolderLoader::isImageFile)
          .sorted((a, b) -> relativeId(folder, a).compareTo(relativeId(folder, b)))
          .toList();
    } catch (IOException | UncheckedIOException e) {
      throw new DataException(
          folder, "Cannot list folder " + folder + " (" + e + "). Check its permissions.", e);
    }
  }

  private static boolean isHidden(Path p) {
    Path name = p.getFileName();
    return name != null && name.toString().startsWith(".");
  }

  private static boolean hasHiddenPart(Path base, Path p) {
    for (Path part : base.relativize(p)) {
      if (part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  static boolean isImageFile(Path p) {
    if (!Files.isRegularFile(p) || isHidden(p)) {
      return false;
    }
    String name = p.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  /** The path relative to the root with '/' separators, on every operating system. */
  private static String relativeId(Path root, Path file) {
    StringBuilder id = new StringBuilder();
    for (Path part : root.relativize(file)) {
      if (id.length() > 0) {
        id.append('/');
      }
      id.append(part);
    }
    return id.toString();
  }

  /**
   * Decodes every entry on all cores; results land at their entry's index, so the order does not
   * depend on thread timing. On the first failure the remaining files are skipped and the failure
   * of the lowest index seen is thrown. A progress listener may throw to abort the load.
   */
  private static byte[][] decodeAll(List<Entry> entries, int imageSize, LoadProgress progress) {
    ParallelDecode job = new ParallelDecode(entries, imageSize, progress);
    int threads = Math.max(1, Math.min(entries.size(), Runtime.getRuntime().availableProcessors()));
    ThreadFactory factory =
        r -> {
          Thread t = new Thread(r, "pici-image-decode");
          t.setDaemon(true);
          return t;
        };
    ExecutorService pool = Executors.newFixedThreadPool(threads, factory);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int k = 0; k < threads; k++) {
        futures.add(pool.submit(job::work));
      }
      for (Future<?> f : futures) {
        try {
          f.get();
        } catch (InterruptedException e) {
          job.failed.set(true);
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while decoding images", e);
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof RuntimeException re) {
            throw re;
          }
          if (cause instanceof Error err) {
            throw err;
          }
          throw new IllegalStateException(cause);
        }
      }
    } finally {
      pool.shutdownNow();
    }
    synchronized (job) {
      if (job.firstError != null) {
        throw job.firstError;
      }
    }
    return job.out;
  }

  /** The shared state of one parallel decode: a work counter, results, progress and failure. */
  private static final class ParallelDecode {
    final List<Entry> entries;
    final int imageSize;
    final LoadProgress progress;
    final byte[][] out;
    final AtomicInteger next = new AtomicInteger();
    final AtomicBoolean failed = new AtomicBoolean();
    private int done;
    private DataException firstError;
    private int firstErrorIndex = Integer.MAX_VALUE;

    ParallelDecode(List<Entry> entries, int imageSize, LoadProgress progress) {
      this.entries = entries;
      this.imageSize = imageSize;
      this.progress = progress;
      this.out = new byte[entries.size()][];
    }

    /** One worker: takes the next index until all are done or something failed. */
    void work() {
      try {
        Resize.Workspace ws = new Resize.Workspace();
        int n = entries.size();
        int i;
        while (!failed.get() && (i = next.getAndIncrement()) < n) {
          try {
            out[i] = decodeOne(entries.get(i).file(), imageSize, ws);
          } catch (DataException e) {
            synchronized (this) {
              if (i < firstErrorIndex) {
                firstErrorIndex = i;
                firstError = e;
              }
            }
            failed.set(true);
            return;
          }
          synchronized (this) {
            // Reporting under the lock keeps the listener's calls serial and increasing.
            done++;
            progress.update(done, n);
          }
        }
      } catch (RuntimeException | Error e) {
        // Stop the other workers too, e.g. when the progress listener aborts the load.
        failed.set(true);
        throw e;
      }
    }
  }

  private static byte[] decodeOne(Path file, int imageSize, Resize.Workspace ws) {
    ImageDecoding.Decoded d = ImageDecoding.read(file);
    float[] resized = new float[3 * imageSize * imageSize];
    Resize.resize(d.chw(), 0, 3, d.height(), d.width(), resized, 0, imageSize, imageSize, ws);
    byte[] bytes = new byte[resized.length];
    ImageDataset.quantise(resized, 0, bytes);
    return bytes;
  }
}
