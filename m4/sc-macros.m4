# SC_REQUIRE_PKG(VAR, MODULES, DEBIAN-PACKAGE)
# Find MODULES with pkg-config; stop with a message naming the Debian package.
AC_DEFUN([SC_REQUIRE_PKG], [
  PKG_CHECK_MODULES([$1], [$2], [],
    [AC_MSG_ERROR([missing dependency: $2
    ($$1_PKG_ERRORS)
    On Debian/Ubuntu install it with: sudo apt-get install $3
    (or run ./quickstart test, which installs every dependency)])])
])

# SC_CHECK_CFLAG(FLAG, [ACTION-IF-OK], [ACTION-IF-NOT])
AC_DEFUN([SC_CHECK_CFLAG], [
  AS_VAR_PUSHDEF([sc_cv], [sc_cv_cflag_$1])
  AC_CACHE_CHECK([whether $CC accepts $1], [sc_cv], [
    sc_save_CFLAGS="$CFLAGS"
    CFLAGS="$CFLAGS -Werror $1"
    AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [])], [AS_VAR_SET([sc_cv], [yes])], [AS_VAR_SET([sc_cv], [no])])
    CFLAGS="$sc_save_CFLAGS"])
  AS_VAR_IF([sc_cv], [yes], [$2], [$3])
  AS_VAR_POPDEF([sc_cv])
])

# SC_CHECK_LDFLAG(FLAG, [ACTION-IF-OK], [ACTION-IF-NOT])
AC_DEFUN([SC_CHECK_LDFLAG], [
  AS_VAR_PUSHDEF([sc_cv], [sc_cv_ldflag_$1])
  AC_CACHE_CHECK([whether the linker accepts $1], [sc_cv], [
    sc_save_LDFLAGS="$LDFLAGS"
    LDFLAGS="$LDFLAGS -Werror $1"
    AC_LINK_IFELSE([AC_LANG_PROGRAM([], [])], [AS_VAR_SET([sc_cv], [yes])], [AS_VAR_SET([sc_cv], [no])])
    LDFLAGS="$sc_save_LDFLAGS"])
  AS_VAR_IF([sc_cv], [yes], [$2], [$3])
  AS_VAR_POPDEF([sc_cv])
])
