package org.picilab.platform.tracking;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Exclusive sections guarded by a lock file, and atomic file replacement, for stores that several
 * processes on one machine share.
 *
 * <p>{@link FileChannel#lock()} excludes other processes only: the JVM holds file locks per
 * process, and a second lock on the same file from another thread of the same JVM fails with an
 * {@code OverlappingFileLockException} instead of waiting. So each lock file also has a {@link
 * ReentrantLock} in this JVM, taken first; threads queue on it, and only the holder asks the
 * operating system for the file lock.
 */
final class FileLocks {

  /** One in-JVM lock per lock file, shared by every store instance of this process. */
  private static final ConcurrentMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

  private FileLocks() {}

  /**
   * A body that reads and writes files.
   *
   * @param <T> its result
   */
  @FunctionalInterface
  interface IoSupplier<T> {
    /**
     * Runs the body.
     *
     * @return its result
     * @throws IOException when a file operation fails
     */
    T get() throws IOException;
  }

  /**
   * Runs {@code body} while holding the lock file exclusively, against threads of this JVM and
   * other processes alike. Not reentrant for the same lock file: the body must not lock it again.
   *
   * @param lockFile the lock file, created when missing; its path must be absolute and normalised
   *     so that all users of one file agree on the in-JVM lock
   * @param body the guarded section
   * @param <T> its result
   * @return what the body returned
   * @throws IOException when the lock cannot be taken or the body fails
   */
  static <T> T locked(Path lockFile, IoSupplier<T> body) throws IOException {
    ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(lockFile, p -> new ReentrantLock());
    jvmLock.lock();
    try (FileChannel channel =
        FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      FileLock lock = channel.lock();
      try {
        return body.get();
      } finally {
        lock.release();
      }
    } finally {
      jvmLock.unlock();
    }
  }

  /**
   * Replaces {@code target} with {@code content} atomically: readers see the old or the new
   * content, never a part, even when this process dies half way through.
   *
   * @param target the file to replace
   * @param content its new content
   * @throws IOException when writing or renaming fails
   */
  static void writeAtomically(Path target, byte[] content) throws IOException {
    // The temporary file lives beside the target so that the rename stays on one file system.
    Path temp =
        target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      try (FileChannel channel =
          FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      try {
        Files.move(
            temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException(
            "The file system of "
                + target
                + " cannot rename atomically; put the tracking root on a local file system",
            e);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
