package org.picilab.platform.stack;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The listening TCP sockets of this machine, read from the kernel's tables in {@code /proc/net/tcp}
 * and {@code /proc/net/tcp6}: the raw fact of which address a server bound, whatever the server
 * claims.
 */
final class ListeningSockets {

  /** The state column's value for LISTEN in the kernel's tables. */
  private static final String LISTEN = "0A";

  private static final Path TCP = Path.of("/proc/net/tcp");
  private static final Path TCP6 = Path.of("/proc/net/tcp6");

  /** One listening socket: its local address and port. */
  record Socket(InetAddress address, int port, String table) {}

  private ListeningSockets() {}

  /**
   * Whether the kernel's tables can be read here (Linux).
   *
   * @return true when {@code /proc/net/tcp} exists
   */
  static boolean available() {
    return Files.isReadable(TCP);
  }

  /**
   * The listening sockets on a port, over IPv4 and IPv6.
   *
   * @param port the local port
   * @return every LISTEN entry with that local port
   * @throws IOException when a table cannot be read
   */
  static List<Socket> onPort(int port) throws IOException {
    List<Socket> out = new ArrayList<>();
    for (Path table : List.of(TCP, TCP6)) {
      if (!Files.isReadable(table)) {
        continue;
      }
      List<String> lines = Files.readAllLines(table);
      for (String line : lines.subList(1, lines.size())) {
        // "  sl  local_address rem_address   st ...", e.g. "0: 0100007F:1C91 00000000:0000 0A"
        String[] f = line.trim().split("\\s+");
        String[] local = f[1].split(":");
        if (f[3].equals(LISTEN) && Integer.parseInt(local[1], 16) == port) {
          out.add(new Socket(address(local[0]), port, table.toString()));
        }
      }
    }
    return out;
  }

  /**
   * Decodes an address of the tables: 32-bit words in hexadecimal, each in the host's byte order.
   */
  private static InetAddress address(String hex) throws UnknownHostException {
    byte[] bytes = new byte[hex.length() / 2];
    boolean little = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    for (int word = 0; word < bytes.length / 4; word++) {
      for (int i = 0; i < 4; i++) {
        int at = word * 4 + (little ? 3 - i : i);
        bytes[word * 4 + i] = (byte) Integer.parseInt(hex.substring(2 * at, 2 * at + 2), 16);
      }
    }
    return InetAddress.getByAddress(bytes);
  }
}
