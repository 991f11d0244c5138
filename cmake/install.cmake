# Install rules and the Debian package (CPack DEB), included by the top
# CMakeLists.txt. `cmake --install BUILD [--prefix P]` puts:
#   P/bin                          the five programs
#   P/share/kafka-mesos/policies   the shipped Lua policies (the default
#                                  chain the scheduler finds by itself)
#   P/share/kafka-mesos/scripts    fetch-kafka.sh and the Kafka launchers
#   P/share/doc/kafka-mesos        README, docs/, the systemd unit example
#   P/share/man/man1               man pages made from each --help (help2man)
# The Debian package: scripts/package.sh (cpack -G DEB, prefix /usr), and
# tests/package/deb_install.sh installs it on a fresh Debian 12 root.
include(GNUInstallDirs)

set(KMESOS_PROGRAMS kmesos-scheduler kmesos-local kmesos-executor kmesos kmesos-sim)
install(TARGETS ${KMESOS_PROGRAMS} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

file(GLOB KMESOS_POLICY_FILES ${CMAKE_SOURCE_DIR}/policies/*.lua)
install(FILES ${KMESOS_POLICY_FILES} ${CMAKE_SOURCE_DIR}/policies/README.md
  DESTINATION ${CMAKE_INSTALL_DATADIR}/kafka-mesos/policies)
install(PROGRAMS ${CMAKE_SOURCE_DIR}/scripts/fetch-kafka.sh ${CMAKE_SOURCE_DIR}/scripts/kafka-broker.sh
  ${CMAKE_SOURCE_DIR}/scripts/kafka-client.sh ${CMAKE_SOURCE_DIR}/scripts/kafka-ready.sh
  ${CMAKE_SOURCE_DIR}/scripts/kafka-mesos-scheduler-start.sh
  DESTINATION ${CMAKE_INSTALL_DATADIR}/kafka-mesos/scripts)
file(GLOB KMESOS_DOCS ${CMAKE_SOURCE_DIR}/docs/*.md ${CMAKE_SOURCE_DIR}/docs/*.svg)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${KMESOS_DOCS} DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${CMAKE_SOURCE_DIR}/packaging/kafka-mesos-scheduler.service
  ${CMAKE_SOURCE_DIR}/packaging/kafka-mesos-scheduler.default
  DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)

# man pages from --help (help2man, Debian's help2man; without it the build
# says so and installs none)
find_program(HELP2MAN help2man)
if(HELP2MAN)
  set(KMESOS_MANS)
  foreach(p ${KMESOS_PROGRAMS})
    set(man ${CMAKE_BINARY_DIR}/man/${p}.1)
    add_custom_command(OUTPUT ${man}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
      COMMAND ${HELP2MAN} --no-info --no-discard-stderr
              --version-string=${PROJECT_VERSION} --name=${p} --output=${man} $<TARGET_FILE:${p}>
      DEPENDS ${p} COMMENT "help2man: ${p}.1")
    list(APPEND KMESOS_MANS ${man})
  endforeach()
  add_custom_target(man ALL DEPENDS ${KMESOS_MANS})
  install(FILES ${KMESOS_MANS} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(STATUS "help2man not found: no man pages (scripts/install-deps.sh installs it)")
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME kafka-mesos)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "Apache Mesos framework that runs Apache Kafka brokers, placed by Lua policies")
set(CPACK_PACKAGE_CONTACT "kafka-mesos developers <kafka-mesos@users.noreply.github.com>")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
# shared libraries: dpkg-shlibdeps; LuaJIT loads lua-cjson at run time and
# fetch-kafka.sh needs curl, tar and Maven (the Kafka jars come from Maven
# Central), brokers need a Java runtime
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "lua-cjson, curl, tar")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "default-jre-headless | java17-runtime-headless, maven")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "kcat, zookeeper")
include(CPack)
