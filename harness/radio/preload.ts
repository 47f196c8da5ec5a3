/**
 * For a child process that should reach virtual controllers instead of an adapter:
 *   WRISTPAY_HCI_SOCKETS=0=/tmp/x/hci0.sock node --import tsx --import ./harness/radio/preload.ts …
 * installs the virtual HCI socket (install-hci-socket.ts) before anything loads noble or bleno.
 */
import { installVirtualHciSocket } from './install-hci-socket.ts';

installVirtualHciSocket();
