dnl igd.m4: small configure helpers of igd-assign.

dnl IGD_PKG_VAR(SHELLVAR, MODULE, VARIABLE, FALLBACK, SUFFIX): SHELLVAR is
dnl MODULE's pkg-config VARIABLE followed by SUFFIX, or FALLBACK SUFFIX when
dnl the module or the variable is missing.
AC_DEFUN([IGD_PKG_VAR], [
  igd_v=`$PKG_CONFIG --variable=$3 $2 2>/dev/null`
  AS_IF([test -z "$igd_v"], [igd_v="$4"])
  $1="$igd_v$5"
])

dnl IGD_EXPAND(SHELLVAR, VALUE): VALUE with ${prefix} and friends expanded
dnl (as installed), for compiled-in paths.
AC_DEFUN([IGD_EXPAND], [
  igd_x="$2"
  while :; do
    case $igd_x in
      *'${'*) eval "igd_x=\"$igd_x\"" ;;
      *) break ;;
    esac
  done
  $1=$igd_x
])
