//! The socket's receive low-water mark (`SO_RCVLOWAT`) for large response bodies.
//!
//! A large body arrives faster than one read takes it only in bursts: without a low-water mark
//! the socket is reported readable as soon as any segment lands, and the caller's task wakes,
//! reads what is there (often a fraction of the room it offers) and parks again. Each of those
//! wake-ups is a turn of the runtime's I/O driver and timer wheel (about 1.3 k instructions):
//! an 8 MiB GetObject made 30 to 43 of them and 63 to 73 reads. With the mark at [`BULK`] bytes
//! the socket is reported only once that much is waiting (or it has ended, or its receive
//! window is full, so a sender cannot be kept waiting): 16 or 17 wake-ups and about 20 reads.
//!
//! The mark is set only while more than twice [`BULK`] is still to come from the socket, so a
//! body's end (and with TLS, what rustls has buffered) can never leave the task waiting for
//! bytes that will not come, and it is back at 1 before the connection is read for anything
//! else. A body that trickles in slower than the mark would only be seen in bursts, and could
//! look stalled to a read timeout: when nothing has been reported for [`PATIENCE`] (or the read
//! timeout comes) while bytes are waiting below the mark, [`waiting`] says so and the body drops
//! the mark for the rest of its length. A body slower than the mark is so held back for at most
//! [`PATIENCE`]; one faster (1.3 MB/s and up) wakes its reader once per mark.
//!
//! Linux only (where the kernel also wakes a reader whose receive window has filled); a no-op
//! elsewhere.

use tokio::net::TcpStream;

/// Whether the mark is set at all (only where [`set`] does something).
pub(crate) const ENABLED: bool = cfg!(target_os = "linux");

/// The low-water mark for a large body, in bytes.
pub(crate) const BULK: u32 = 256 * 1024;

/// How long a body with the mark up may go without a chunk before bytes waiting below the
/// mark make it drop the mark.
pub(crate) const PATIENCE: std::time::Duration = std::time::Duration::from_millis(200);

/// Sets the mark to `bytes` (1: readable with any byte, the socket's default).
#[cfg(target_os = "linux")]
pub(crate) fn set(tcp: &TcpStream, bytes: u32) {
    use std::os::fd::AsRawFd;
    let value = libc::c_int::try_from(bytes).unwrap_or(libc::c_int::MAX);
    // SAFETY: `setsockopt` reads `size_of::<c_int>()` bytes at the pointer, which points to a
    // live `c_int`; the descriptor is the stream's own, open for as long as `tcp` is borrowed.
    // A failure leaves the socket's previous mark, which is only slower.
    #[allow(unsafe_code)]
    unsafe {
        libc::setsockopt(
            tcp.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVLOWAT,
            std::ptr::from_ref(&value).cast::<libc::c_void>(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
    }
}

/// `true` when bytes are waiting in the socket (below the mark, or the mark was not set).
#[cfg(target_os = "linux")]
pub(crate) fn waiting(tcp: &TcpStream) -> bool {
    use std::os::fd::AsRawFd;
    let mut byte = 0u8;
    // SAFETY: `recv` writes at most 1 byte at the pointer, which points to a live `u8`;
    // `MSG_PEEK` leaves the byte in the socket and `MSG_DONTWAIT` makes the call return at once.
    #[allow(unsafe_code)]
    let n = unsafe {
        libc::recv(
            tcp.as_raw_fd(),
            std::ptr::from_mut(&mut byte).cast::<libc::c_void>(),
            1,
            libc::MSG_PEEK | libc::MSG_DONTWAIT,
        )
    };
    n > 0
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn set(_tcp: &TcpStream, _bytes: u32) {}

#[cfg(not(target_os = "linux"))]
pub(crate) fn waiting(_tcp: &TcpStream) -> bool {
    false
}
