package io.tinyml.devices.transport;

/**
 * A serial port found on this machine.
 *
 * @param path the system path ({@code /dev/ttyACM0})
 * @param description a human-readable name
 * @param vendorId the USB vendor id, -1 if not a USB device
 * @param productId the USB product id, -1 if not a USB device
 * @param serialNumber the USB serial number, or an empty or "Unknown" text
 */
public record SerialPortInfo(String path, String description, int vendorId, int productId, String serialNumber) {
    /** @return {@code vvvv:pppp} in hex, or {@code -} when the port is not a USB device */
    public String usbId() {
        return vendorId < 0 ? "-" : String.format("%04x:%04x", vendorId, productId);
    }
}
