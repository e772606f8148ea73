#!/usr/bin/env bash
# Sets up one WooCommerce store with wp-cli. Every step looks before it acts, so a second run changes
# nothing; any failure stops the run with the name of the step it was in.
#
# Environment (from the chart): the WORDPRESS_* variables of wp-config-docker.php, SITE_URL,
# STORE_TITLE, ADMIN_USER, ADMIN_PASSWORD, ADMIN_EMAIL, DATABASE_WAIT_SECONDS, WOOCOMMERCE_VERSION,
# WOOCOMMERCE_PACKAGE, STOREFRONT_VERSION, STOREFRONT_PACKAGE, STORE_ADDRESS, STORE_CITY,
# STORE_POSTCODE, STORE_COUNTRY, STORE_CURRENCY, SAMPLE_PRODUCTS (a CSV file, or empty for none).
set -Eeuo pipefail
shopt -s inherit_errexit

STEP="start"
trap 'echo "storefleet-setup: FAILED in step \"${STEP}\" (exit $?)" >&2' ERR

step() {
  STEP="$1"
  echo "storefleet-setup: step ${STEP}"
}

note() {
  echo "storefleet-setup:   ${STEP}: $*"
}

fail() {
  echo "storefleet-setup: FAILED in step \"${STEP}\": $*" >&2
  exit 1
}

require_env() {
  local name
  for name in "$@"; do
    [ -n "${!name:-}" ] || fail "environment variable ${name} is not set"
  done
}

# Prints an option's value; fails (without a message) when the option does not exist.
option_value() {
  wp option get "$1" 2>/dev/null
}

ensure_option() {
  local name="$1" wanted="$2" current=""
  if current="$(option_value "${name}")" && [ "${current}" = "${wanted}" ]; then
    note "${name} already '${wanted}'"
    return 0
  fi
  wp option update "${name}" "${wanted}" >/dev/null
  note "${name} set to '${wanted}'"
}

# True when version $1 is older than version $2 (numeric dot-separated parts).
version_older() {
  local -a older newer
  local i
  IFS=. read -r -a older <<<"$1"
  IFS=. read -r -a newer <<<"$2"
  for ((i = 0; i < ${#older[@]} || i < ${#newer[@]}; i++)); do
    if ((10#${older[i]:-0} != 10#${newer[i]:-0})); then
      ((10#${older[i]:-0} < 10#${newer[i]:-0}))
      return
    fi
  done
  return 1
}

# Installs a plugin or theme package at the pinned version unless it is there already, then activates it.
ensure_package() {
  local kind="$1" slug="$2" version="$3" package="$4" installed=""
  if wp "${kind}" is-installed "${slug}"; then
    installed="$(wp "${kind}" get "${slug}" --field=version)"
  fi
  if [ -z "${installed}" ]; then
    wp "${kind}" install "${package}" --force >/dev/null
    note "installed ${slug} ${version}"
  elif version_older "${installed}" "${version}"; then
    wp "${kind}" install "${package}" --force >/dev/null
    note "upgraded ${slug} ${installed} -> ${version}"
  elif [ "${installed}" != "${version}" ]; then
    note "${slug} ${installed} is newer than the pinned ${version}; left as it is"
  else
    note "${slug} ${installed} already installed"
  fi
  if wp "${kind}" is-active "${slug}"; then
    note "${slug} already active"
  else
    wp "${kind}" activate "${slug}" >/dev/null
    note "activated ${slug}"
  fi
}

wait_for_database() {
  local deadline=$((SECONDS + ${DATABASE_WAIT_SECONDS:-300}))
  # Plain mysqli, not `wp db`: it needs no mysql client and no WordPress tables. PHP code, not shell:
  # shellcheck disable=SC2016
  local probe='mysqli_report(MYSQLI_REPORT_OFF);
    [$host, $port] = array_pad(explode(":", getenv("WORDPRESS_DB_HOST"), 2), 2, 3306);
    $link = @mysqli_connect($host, getenv("WORDPRESS_DB_USER"), getenv("WORDPRESS_DB_PASSWORD"), getenv("WORDPRESS_DB_NAME"), (int) $port);
    exit($link ? 0 : 1);'
  until wp eval --skip-wordpress "${probe}"; do
    if [ "${SECONDS}" -ge "${deadline}" ]; then
      fail "the database at ${WORDPRESS_DB_HOST} did not accept connections within ${DATABASE_WAIT_SECONDS:-300}s"
    fi
    sleep 2
  done
  note "database ${WORDPRESS_DB_NAME} at ${WORDPRESS_DB_HOST} accepts connections"
}

install_core() {
  if wp core is-installed; then
    note "WordPress already installed"
    return 0
  fi
  # The password goes through standard input, never on a command line.
  printf '%s\n' "${ADMIN_PASSWORD}" | wp core install --url="${SITE_URL}" --title="${STORE_TITLE}" \
    --admin_user="${ADMIN_USER}" --admin_email="${ADMIN_EMAIL}" --skip-email --prompt=admin_password >/dev/null
  note "installed WordPress for ${SITE_URL}"
}

configure_site() {
  local old=""
  # The store moved (another host, or http -> https): links in posts, options and WooCommerce's
  # tables still name the old URL. guid stays: it identifies a post, it is not a link.
  if old="$(option_value home)" && [ -n "${old}" ] && [ "${old}" != "${SITE_URL}" ]; then
    wp search-replace "${old}" "${SITE_URL}" --all-tables-with-prefix --skip-columns=guid --report-changed-only >/dev/null
    note "replaced ${old} with ${SITE_URL} in the database"
  fi
  ensure_option home "${SITE_URL}"
  ensure_option siteurl "${SITE_URL}"
  ensure_option blogname "${STORE_TITLE}"
}

update_woocommerce_database() {
  local code="" database=""
  code="$(wp plugin get woocommerce --field=version)"
  database="$(option_value woocommerce_db_version)" ||
    fail "WooCommerce recorded no database version (woocommerce_db_version): it did not install itself"
  if ! version_older "${database}" "${code}"; then
    note "database schema at ${database}, nothing to update"
    return 0
  fi
  wp wc update >/dev/null
  note "database schema updated from ${database} to ${code}"
}

page_published() {
  local id=""
  id="$(option_value "$1")" || return 1
  [ -n "${id}" ] && [ "${id}" != "0" ] && [ "$(wp post get "${id}" --field=post_status 2>/dev/null)" = "publish" ]
}

ensure_pages() {
  local pages=(woocommerce_shop_page_id woocommerce_cart_page_id woocommerce_checkout_page_id woocommerce_myaccount_page_id)
  local page missing=0
  for page in "${pages[@]}"; do
    page_published "${page}" || missing=1
  done
  if [ "${missing}" = 0 ]; then
    note "shop, cart, checkout and my-account pages already published"
    return 0
  fi
  wp wc tool run install_pages --user="${ADMIN_USER}" >/dev/null
  for page in "${pages[@]}"; do
    page_published "${page}" || fail "WooCommerce did not create the page of ${page}"
  done
  note "created the WooCommerce pages"
}

ensure_permalinks() {
  local current=""
  if current="$(option_value permalink_structure)" && [ "${current}" = "/%postname%/" ]; then
    note "pretty permalinks already on"
    return 0
  fi
  wp rewrite structure '/%postname%/' >/dev/null
  note "pretty permalinks on"
}

# Products need a shipping method before they can be checked out: free shipping everywhere.
ensure_shipping() {
  local methods=""
  methods="$(wp wc shipping_zone_method list 0 --field=method_id --user="${ADMIN_USER}")"
  if grep -qx free_shipping <<<"${methods}"; then
    note "free shipping already offered"
    return 0
  fi
  wp wc shipping_zone_method create 0 --method_id=free_shipping --user="${ADMIN_USER}" >/dev/null
  note "free shipping offered in every location"
}

ensure_cash_on_delivery() {
  local enabled=""
  if enabled="$(wp option pluck woocommerce_cod_settings enabled 2>/dev/null)" && [ "${enabled}" = "yes" ]; then
    note "cash on delivery already enabled"
    return 0
  fi
  wp wc payment_gateway update cod --enabled=true --user="${ADMIN_USER}" >/dev/null
  note "cash on delivery enabled"
}

skip_onboarding() {
  local skipped=""
  if skipped="$(wp option pluck woocommerce_onboarding_profile skipped 2>/dev/null)" && [ "${skipped}" = "1" ]; then
    note "onboarding already skipped"
  else
    wp option update woocommerce_onboarding_profile '{"skipped":true}' --format=json >/dev/null
    note "onboarding skipped"
  fi
  ensure_option woocommerce_task_list_hidden yes
  ensure_option woocommerce_allow_tracking no
}

slugify() {
  printf '%s' "$1" | tr '[:upper:]' '[:lower:]' | tr -cs 'a-z0-9' '-' | sed -e 's/^-//' -e 's/-$//'
}

# Sets CATEGORY_ID to the product category called $1, creating it when it does not exist.
ensure_category() {
  local name="$1" slug
  slug="$(slugify "${name}")"
  CATEGORY_ID="$(wp term list product_cat --slug="${slug}" --field=term_id)"
  if [ -z "${CATEGORY_ID}" ]; then
    CATEGORY_ID="$(wp term create product_cat "${name}" --slug="${slug}" --porcelain)"
    note "created category ${name}"
  fi
}

# CSV: sku,name,category,price,stock,description - no quoting; only the description (last) may hold commas.
import_products() {
  local file="$1" line=0 sku name category price stock description existing
  [ -r "${file}" ] || fail "sample products file ${file} is not readable"
  while IFS=, read -r sku name category price stock description || [ -n "${sku}" ]; do
    line=$((line + 1))
    if [ "${line}" = 1 ]; then
      [ "${sku},${name},${category},${price},${stock}" = "sku,name,category,price,stock" ] ||
        fail "${file}: the header must be sku,name,category,price,stock,description"
      continue
    fi
    [ -n "${sku}${name}" ] || continue
    [[ "${sku}" =~ ^[A-Za-z0-9._-]+$ ]] || fail "${file} line ${line}: bad SKU '${sku}'"
    [[ "${price}" =~ ^[0-9]+(\.[0-9]{1,2})?$ ]] || fail "${file} line ${line}: bad price '${price}'"
    [[ "${stock}" =~ ^[0-9]+$ ]] || fail "${file} line ${line}: bad stock '${stock}'"
    description="${description%$'\r'}"
    if [ -z "${name}" ] || [ -z "${category}" ]; then
      fail "${file} line ${line}: name and category are required"
    fi
    # `any` leaves out the trash, but a trashed product still holds its SKU: look there too.
    existing="$(wp post list --post_type=product --post_status=any,trash --meta_key=_sku --meta_value="${sku}" --field=ID)"
    if [ -n "${existing}" ]; then
      if [ "$(wp post get "${existing%%$'\n'*}" --field=post_status)" = trash ]; then
        note "product ${sku} is in the trash; left there"
      else
        note "product ${sku} already exists"
      fi
      continue
    fi
    ensure_category "${category}"
    wp wc product create --user="${ADMIN_USER}" --porcelain --type=simple --status=publish \
      --sku="${sku}" --name="${name}" --regular_price="${price}" --description="${description}" \
      --short_description="${description}" --categories="[{\"id\":${CATEGORY_ID}}]" \
      --manage_stock=true --stock_quantity="${stock}" >/dev/null
    note "created product ${sku} (${name})"
  done <"${file}"
}

main() {
  step environment
  require_env WORDPRESS_DB_HOST WORDPRESS_DB_NAME WORDPRESS_DB_USER WORDPRESS_DB_PASSWORD SITE_URL \
    STORE_TITLE ADMIN_USER ADMIN_PASSWORD ADMIN_EMAIL WOOCOMMERCE_VERSION WOOCOMMERCE_PACKAGE \
    STOREFRONT_VERSION STOREFRONT_PACKAGE STORE_ADDRESS STORE_CITY STORE_POSTCODE STORE_COUNTRY STORE_CURRENCY

  step database
  wait_for_database

  step core
  install_core

  step site
  configure_site

  step woocommerce
  ensure_package plugin woocommerce "${WOOCOMMERCE_VERSION}" "${WOOCOMMERCE_PACKAGE}"

  step storefront
  ensure_package theme storefront "${STOREFRONT_VERSION}" "${STOREFRONT_PACKAGE}"

  step woocommerce-database
  update_woocommerce_database

  step pages
  ensure_pages

  step permalinks
  ensure_permalinks

  step store-details
  ensure_option woocommerce_store_address "${STORE_ADDRESS}"
  ensure_option woocommerce_store_city "${STORE_CITY}"
  ensure_option woocommerce_store_postcode "${STORE_POSTCODE}"
  ensure_option woocommerce_default_country "${STORE_COUNTRY}"
  ensure_option woocommerce_currency "${STORE_CURRENCY}"

  step shipping
  ensure_shipping

  step cash-on-delivery
  ensure_cash_on_delivery

  step guest-checkout
  ensure_option woocommerce_enable_guest_checkout yes

  step coming-soon
  ensure_option woocommerce_coming_soon no

  step onboarding
  skip_onboarding

  step products
  if [ -n "${SAMPLE_PRODUCTS:-}" ]; then
    import_products "${SAMPLE_PRODUCTS}"
  else
    note "sample products disabled"
  fi

  STEP="done"
  echo "storefleet-setup: store ready at ${SITE_URL}"
}

main "$@"
