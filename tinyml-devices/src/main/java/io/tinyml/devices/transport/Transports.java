package io.tinyml.devices.transport;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * Opens a transport from an address: {@code tcp:HOST:PORT}, {@code exec:PROGRAM [ARGS]} (a program's
 * stdin/stdout, e.g. {@code exec:ssh pi@board /tmp/harness}) or a serial port path. Thread-safe.
 */
public final class Transports {
    private Transports() {
    }

    /**
     * Opens an address.
     *
     * @param address {@code tcp:HOST:PORT}, {@code exec:PROGRAM [ARGS]} or a serial port path
     *     ({@code /dev/ttyACM0}, a pty)
     * @param baud the baud rate for a serial port (ignored for TCP)
     * @param timeout the connect timeout for TCP
     * @return the open transport
     * @throws IOException if it cannot be opened (one-line message)
     * @throws IllegalArgumentException if a {@code tcp:} address is malformed
     */
    public static Transport open(String address, int baud, Duration timeout) throws IOException {
        if (address.startsWith("exec:")) {
            List<String> cmd = List.of(address.substring(5).trim().split("\\s+"));
            if (cmd.get(0).isEmpty()) {
                throw new IllegalArgumentException("expected exec:PROGRAM [ARGS], found '" + address + "'");
            }
            return ProcessTransport.start(cmd);
        }
        if (address.startsWith("tcp:")) {
            int colon = address.lastIndexOf(':');
            if (colon <= 4) {
                throw new IllegalArgumentException("expected tcp:HOST:PORT, found '" + address + "'");
            }
            int port;
            try {
                port = Integer.parseInt(address.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected tcp:HOST:PORT with a numeric port, found '" + address
                        + "'");
            }
            return TcpTransport.connect(address.substring(4, colon), port, timeout);
        }
        return SerialTransport.open(address, baud, SerialTransport.Parity.NONE);
    }

    /**
     * Tells whether a text has the form of an address {@link #open} accepts (without opening it).
     *
     * @param s the text
     * @return true for {@code tcp:...}, {@code exec:...}, an absolute path or {@code COMn}
     */
    public static boolean isAddress(String s) {
        return s.startsWith("tcp:") || s.startsWith("exec:") || s.startsWith("/") || s.matches("(?i)COM\\d+");
    }
}
