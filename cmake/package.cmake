# cmake/package.cmake - what `cmake --install` puts where, and the Debian package cpack makes.
include(GNUInstallDirs)

install(TARGETS tcpnote RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The manual page gzipped, as Debian installs them (-n: no name or time in the header, so the
# same page makes the same bytes).
find_program(GZIP_EXECUTABLE gzip REQUIRED)
set(TCPNOTE_MAN_GZ ${CMAKE_CURRENT_BINARY_DIR}/tcpnote.1.gz)
add_custom_command(OUTPUT ${TCPNOTE_MAN_GZ}
                   COMMAND ${GZIP_EXECUTABLE} -9nc ${PROJECT_SOURCE_DIR}/doc/tcpnote.1
                           > ${TCPNOTE_MAN_GZ}
                   DEPENDS ${PROJECT_SOURCE_DIR}/doc/tcpnote.1
                   COMMENT "Compressing the manual page tcpnote(1)")
add_custom_target(manpage ALL DEPENDS ${TCPNOTE_MAN_GZ})
install(FILES ${TCPNOTE_MAN_GZ} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES README.md LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR})

# cd build && cpack -G DEB  ->  tcpnote_VERSION_ARCH.deb, installing under /usr.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tcpnote)
set(CPACK_PACKAGE_CONTACT "tcpnote maintainers <maintainers@users.noreply.r-seed-a1f3f4cd.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "TCP packets printed as tcpdump does, each annotated with what it means")
set(CPACK_PACKAGE_DESCRIPTION
    "tcpnote prints TCP packets exactly as tcpdump does and, after each line,
what the packet means in its connection: handshake, keepalive,
retransmission, zero window, the TLS server name or the HTTP request.
It reads pcap and pcapng files or captures live, and can draw each
connection as a ladder diagram or an SVG.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends from the libraries the binary links (dpkg-shlibdeps, from dpkg-dev): libc6,
# libpcap0.8, libssl3 on Debian 12.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_STRIP_FILES ON)
include(CPack)
