#!/usr/bin/env bash
# A recording stand-in for wp-cli, copied onto PATH as `wp` by setup-script.test.ts. Every call is
# appended to $FAKE_WP_STATE/calls.log; the store it pretends to manage (options, plugins, themes,
# pages, categories, products) lives in files under $FAKE_WP_STATE. It knows exactly the calls the
# setup script makes and refuses any other, so the two cannot drift apart unnoticed. FAKE_WP_FAIL (a
# bash pattern matched against the arguments) makes the matching call fail; FAKE_WP_DB_DOWN makes the
# database unreachable.
set -euo pipefail
state="$FAKE_WP_STATE"
mkdir -p "$state"/{options,plugins,themes,posts,terms,products,shipping}
printf '%s\n' "$*" >>"$state/calls.log"

die() { echo "Error: $*" >&2; exit 1; }
unsupported() { echo "fake wp: unsupported call: wp $*" >&2; exit 64; }
# Value of --name=value among the arguments.
arg() {
  local name="$1" a; shift
  for a in "$@"; do
    case "$a" in --"$name"=*) printf '%s' "${a#--"$name"=}"; return 0 ;; esac
  done
  return 1
}
installed() { [ -e "$state/installed" ] || die "The site you have requested is not installed."; }
active() { [ -e "$state/plugins/$1.active" ] || die "'$1' is not an active plugin."; }
new_id() {
  local id
  id=$(( $(cat "$state/next-id" 2>/dev/null || echo 100) + 1 ))
  echo "$id" >"$state/next-id"
  echo "$id"
}
wc_user() { arg user "$@" >/dev/null || die "Make sure to include the --user flag."; }

# shellcheck disable=SC2053 # FAKE_WP_FAIL is a pattern
if [ -n "${FAKE_WP_FAIL:-}" ] && [[ "$*" == $FAKE_WP_FAIL ]]; then
  die "simulated failure of: wp $*"
fi

case "$1 ${2:-}" in
  "eval --skip-wordpress")
    [ -z "${FAKE_WP_DB_DOWN:-}" ] || exit 1
    ;;
  "core is-installed")
    [ -e "$state/installed" ]
    ;;
  "core install")
    [ -e "$state/installed" ] && die "already installed"
    [[ " $* " == *" --prompt=admin_password "* ]] || die "the admin password must come from standard input"
    # read fails at end of input when the password has no trailing newline; the value is still read,
    # and the next line checks that one arrived.
    IFS= read -r password || true
    [ -n "$password" ] || die "no admin password on standard input"
    printf '%s' "$password" >"$state/admin-password"
    touch "$state/installed"
    url="$(arg url "$@")"
    printf '%s' "$url" >"$state/options/home"
    printf '%s' "$url" >"$state/options/siteurl"
    arg title "$@" >"$state/options/blogname"
    printf '' >"$state/options/permalink_structure"
    ;;
  "option get")
    installed
    [ -e "$state/options/$3" ] || die "Could not get '$3' option. Does it exist?"
    cat "$state/options/$3"; echo
    ;;
  "option update")
    installed
    printf '%s' "$4" >"$state/options/$3"
    ;;
  "option pluck")
    installed
    [ -e "$state/options/$3" ] || die "Could not get '$3' option. Does it exist?"
    value="$(sed -n 's/.*"'"$4"'":\("[^"]*"\|true\|false\|[0-9]*\).*/\1/p' "$state/options/$3")"
    [ -n "$value" ] || die "No data exists for key '$4'"
    case "$value" in true) echo 1 ;; false) echo ;; *) value="${value#\"}"; echo "${value%\"}" ;; esac
    ;;
  "plugin is-installed" | "theme is-installed")
    installed
    [ -e "$state/$1s/$3" ]
    ;;
  "plugin get" | "theme get")
    installed
    [ "${4:-}" = "--field=version" ] || unsupported "$@"
    [ -e "$state/$1s/$3" ] || die "The '$3' $1 could not be found."
    cat "$state/$1s/$3"; echo
    ;;
  "plugin install" | "theme install")
    installed
    case "$3" in
      *woocommerce*) printf '%s' "$WOOCOMMERCE_VERSION" >"$state/plugins/woocommerce" ;;
      *storefront*) printf '%s' "$STOREFRONT_VERSION" >"$state/themes/storefront" ;;
      *) die "no package at $3" ;;
    esac
    ;;
  "plugin is-active" | "theme is-active")
    installed
    [ -e "$state/$1s/$3.active" ]
    ;;
  "plugin activate" | "theme activate")
    installed
    [ -e "$state/$1s/$3" ] || die "The '$3' $1 could not be found."
    [ "$1" = theme ] && rm -f "$state"/themes/*.active
    touch "$state/$1s/$3.active"
    if [ "$3" = woocommerce ]; then
      # What WooCommerce does when it installs itself: versions recorded, the store "coming soon".
      cp "$state/plugins/woocommerce" "$state/options/woocommerce_version"
      [ -e "$state/options/woocommerce_db_version" ] || cp "$state/plugins/woocommerce" "$state/options/woocommerce_db_version"
      printf 'yes' >"$state/options/woocommerce_coming_soon"
    fi
    ;;
  "post get")
    installed
    [ "${4:-}" = "--field=post_status" ] || unsupported "$@"
    [ -e "$state/posts/$3" ] || die "Could not find the post with ID $3."
    cat "$state/posts/$3"; echo
    ;;
  "post list")
    installed
    if [ "$(arg post_type "$@")" != product ] || [ "$(arg meta_key "$@")" != _sku ]; then unsupported "$@"; fi
    sku="$(arg meta_value "$@")"
    [ -e "$state/products/$sku" ] || exit 0
    # As WP_Query does: status `any` leaves out trashed posts unless `trash` is asked for as well.
    id="$(cat "$state/products/$sku")"
    status="$(cat "$state/posts/$id" 2>/dev/null || echo publish)"
    IFS=, read -r -a statuses <<<"$(arg post_status "$@" || echo publish)"
    listed=0
    for wanted in "${statuses[@]}"; do
      if [ "$wanted" = "$status" ] || { [ "$wanted" = any ] && [ "$status" != trash ]; }; then listed=1; fi
    done
    if [ "$listed" = 1 ]; then echo "$id"; fi
    ;;
  "search-replace "*)
    installed
    [ "$(arg skip-columns "$@")" = guid ] || die "search-replace without --skip-columns=guid rewrites post GUIDs"
    [[ " $* " == *" --all-tables-with-prefix "* ]] || unsupported "$@"
    old="$2" new="$3"
    for file in "$state"/options/*; do
      content="$(cat "$file")"
      printf '%s' "${content//"$old"/"$new"}" >"$file"
    done
    ;;
  "term list")
    installed
    [ "$3" = product_cat ] || unsupported "$@"
    slug="$(arg slug "$@")"
    if [ -e "$state/terms/$slug" ]; then cat "$state/terms/$slug"; echo; fi
    ;;
  "term create")
    installed
    slug="$(arg slug "$@")"
    [ -e "$state/terms/$slug" ] && die "A term with the name provided already exists."
    new_id >"$state/terms/$slug"
    cat "$state/terms/$slug"
    ;;
  "rewrite structure")
    installed
    printf '%s' "$3" >"$state/options/permalink_structure"
    ;;
  "wc update")
    installed; active woocommerce
    cp "$state/plugins/woocommerce" "$state/options/woocommerce_db_version"
    ;;
  "wc tool")
    installed; active woocommerce; wc_user "$@"
    [ "$3 ${4:-}" = "run install_pages" ] || unsupported "$@"
    for page in shop cart checkout myaccount; do
      [ -e "$state/options/woocommerce_${page}_page_id" ] && continue
      id="$(new_id)"
      printf 'publish' >"$state/posts/$id"
      printf '%s' "$id" >"$state/options/woocommerce_${page}_page_id"
    done
    ;;
  "wc shipping_zone_method")
    installed; active woocommerce; wc_user "$@"
    [ "${4:-}" = 0 ] || die "no shipping zone ${4:-}"
    case "$3" in
      # No methods file yet means the zone has no method: an empty list, as wp would print.
      list) [ "$(arg field "$@")" = method_id ] || unsupported "$@"; if [ -f "$state/shipping/methods" ]; then cat "$state/shipping/methods"; fi ;;
      create) arg method_id "$@" >>"$state/shipping/methods"; echo >>"$state/shipping/methods" ;;
      *) unsupported "$@" ;;
    esac
    ;;
  "wc payment_gateway")
    installed; active woocommerce; wc_user "$@"
    if [ "$3 ${4:-}" != "update cod" ] || [ "$(arg enabled "$@")" != true ]; then unsupported "$@"; fi
    printf '{"enabled":"yes","title":"Cash on delivery"}' >"$state/options/woocommerce_cod_settings"
    ;;
  "wc product")
    installed; active woocommerce; wc_user "$@"
    [ "$3" = create ] || unsupported "$@"
    sku="$(arg sku "$@")"
    [ -e "$state/products/$sku" ] && die "Invalid or duplicated SKU."
    category="$(arg categories "$@")"
    [[ "$category" =~ ^\[\{\"id\":([0-9]+)\}\]$ ]] || die "categories is not a JSON list of ids: $category"
    grep -qx "${BASH_REMATCH[1]}" "$state"/terms/* || die "no category ${BASH_REMATCH[1]}"
    for field in name regular_price stock_quantity; do
      arg "$field" "$@" >/dev/null || die "missing --$field"
    done
    new_id >"$state/products/$sku"
    printf 'publish' >"$state/posts/$(cat "$state/products/$sku")"
    cat "$state/products/$sku"
    ;;
  *)
    unsupported "$@"
    ;;
esac
