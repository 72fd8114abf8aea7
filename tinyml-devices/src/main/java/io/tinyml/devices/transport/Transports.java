package io.tinyml.devices.transport;

import java.io.IOException;
import java.time.Duration;

/** Opens a transport from an address: {@code tcp:HOST:PORT} or a serial port path. Thread-safe. */
public final class Transports {
    private Transports() {
    }

    /**
     * Opens an address.
     *
     * @param address {@code tcp:HOST:PORT} or a serial port path ({@code /dev/ttyACM0}, a pty)
     * @param baud the baud rate for a serial port (ignored for TCP)
     * @param timeout the connect timeout for TCP
     * @return the open transport
     * @throws IOException if it cannot be opened (one-line message)
     * @throws IllegalArgumentException if a {@code tcp:} address is malformed
     */
    public static Transport open(String address, int baud, Duration timeout) throws IOException {
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
}
