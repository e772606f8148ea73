#!/usr/bin/env bash
# manual-up.sh — start a throw-away Kubernetes control plane (no kubelet, no containers)
# on 127.0.0.1 out of binaries built by build-binaries.sh, with kwok faking the nodes.
#
#   manual-up.sh up     [DIR]   start etcd, kube-apiserver, kube-controller-manager,
#                               kube-scheduler, kwok; create 3 fake nodes + StorageClass "standard".
#                               DIR defaults to a fresh mktemp dir; printed at the end.
#   manual-up.sh verify DIR     smoke test: Deployment Ready, Job Complete, PVC Bound,
#                               namespace deletion, helm install --wait=watcher --wait-for-jobs.
#   manual-up.sh down   DIR     stop every process started by `up` (by pid) and keep DIR.
#
# Everything lives in DIR: pki/, *.kubeconfig, logs/*.log, pids, env (source it for KUBECONFIG).
# Needs: bash, openssl, curl, ss (iproute2), kubectl (any recent client; /usr/bin/kubectl works).
# This is the reference for the later TypeScript implementation; keep it plain.
set -euo pipefail

BIN_DIR=${STOREFLEET_BIN_DIR:-$HOME/.cache/storefleet/bin}
K8S_VERSION=${K8S_VERSION:-v1.34.4}
ETCD_VERSION=${ETCD_VERSION:-v3.6.16}
KWOK_VERSION=${KWOK_VERSION:-v0.8.0}
HELM_VERSION=${HELM_VERSION:-v4.3.1}
KUBECTL=${KUBECTL:-kubectl}
SERVICE_CIDR=10.96.0.0/16
SERVICE_IP=10.96.0.1 # first IP of SERVICE_CIDR: the "kubernetes" Service, must be in the serving cert
POD_CIDR=10.244.0.0/16
NODE_COUNT=${NODE_COUNT:-3}

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# --- helpers -----------------------------------------------------------------------------

# A TCP port nobody listens on right now (small race window is acceptable for tests).
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$(( 20000 + RANDOM % 30000 ))
    if [[ -z "$(ss -Hltn "sport = :$p" 2>/dev/null)" ]] && ! grep -qx "$p" "$DIR/ports" 2>/dev/null; then
      echo "$p" >>"$DIR/ports"
      echo "$p"
      return 0
    fi
  done
  die "no free port found"
}

# wait_for NAME TIMEOUT_S CMD... : retry CMD every 0.5s until it succeeds.
wait_for() {
  local name=$1 timeout=$2; shift 2
  local deadline=$(( $(date +%s) + timeout ))
  until "$@" >/dev/null 2>&1; do
    if (( $(date +%s) > deadline )); then
      log "timeout waiting for $name"; return 1
    fi
    sleep 0.5
  done
  log "$name is up"
}

# start NAME CMD... : run in background, log to logs/NAME.log, remember pid.
start() {
  local name=$1; shift
  # setsid: own process group, so `down` can stop it without touching anything else
  setsid "$@" >"$DIR/logs/$name.log" 2>&1 < /dev/null &
  echo "$name $!" >>"$DIR/pids"
  log "started $name (pid $!)"
}

b64() { base64 -w0 <"$1"; }

# kubeconfig FILE USER_CERT USER_KEY
write_kubeconfig() {
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: storefleet-test
  cluster:
    server: https://127.0.0.1:${API_PORT}
    certificate-authority-data: $(b64 "$DIR/pki/ca.crt")
users:
- name: user
  user:
    client-certificate-data: $(b64 "$2")
    client-key-data: $(b64 "$3")
contexts:
- name: storefleet-test
  context: {cluster: storefleet-test, user: user}
current-context: storefleet-test
EOF
  chmod 600 "$1"
}

# new_ca NAME CN : self-signed CA key + cert in pki/
new_ca() {
  local p=$DIR/pki
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$p/$1.key" 2>/dev/null
  openssl req -x509 -new -key "$p/$1.key" -sha256 -days 3650 -subj "/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
    -out "$p/$1.crt" 2>/dev/null
}

# sign_cert NAME SUBJ EXTENSIONS [CA] : key + cert in pki/, signed by pki/CA (default: ca).
sign_cert() {
  local name=$1 subj=$2 ext=$3 ca=${4:-ca} p=$DIR/pki
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$p/$name.key" 2>/dev/null
  openssl req -new -key "$p/$name.key" -subj "$subj" -out "$p/$name.csr" 2>/dev/null
  printf '%s\n' "$ext" >"$p/$name.ext"
  openssl x509 -req -in "$p/$name.csr" -CA "$p/$ca.crt" -CAkey "$p/$ca.key" -CAcreateserial \
    -days 365 -sha256 -extfile "$p/$name.ext" -out "$p/$name.crt" 2>/dev/null
  rm -f "$p/$name.csr" "$p/$name.ext"
}

gen_pki() {
  local p=$DIR/pki
  mkdir -p "$p"
  new_ca ca storefleet-testcluster-ca
  # front-proxy (request-header) CA: without it kube-apiserver publishes an incomplete
  # kube-system/extension-apiserver-authentication ConfigMap and KCM/scheduler log errors forever.
  new_ca front-proxy-ca storefleet-testcluster-front-proxy-ca
  local client="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
  sign_cert apiserver "/CN=kube-apiserver" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:${SERVICE_IP}"
  # O=system:masters => cluster-admin via the bootstrap RBAC binding
  sign_cert admin "/O=system:masters/CN=storefleet-admin" "$client"
  # well-known identities that the bootstrap RBAC roles are bound to
  sign_cert kube-controller-manager "/CN=system:kube-controller-manager" "$client"
  sign_cert kube-scheduler "/CN=system:kube-scheduler" "$client"
  # kwok patches node/pod status, leases, deletes pods: simplest is cluster-admin
  sign_cert kwok "/O=system:masters/CN=kwok-controller" "$client"
  sign_cert front-proxy-client "/CN=front-proxy-client" "$client" front-proxy-ca
  # service-account token signing key pair (RSA => RS256 tokens)
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$p/sa.key" 2>/dev/null
  openssl pkey -in "$p/sa.key" -pubout -out "$p/sa.pub" 2>/dev/null
  chmod 600 "$p"/*.key
}

# kwok needs Stage objects (the binary has none built in): build-binaries.sh writes the
# upstream ones (kustomize/stage/... in the kwok module) to $STAGES; fall back to the module cache.
write_kwok_config() {
  local stages=${KWOK_STAGES:-$HOME/.cache/storefleet/share/kwok-$KWOK_VERSION-stages.yaml} src f
  if [[ -f "$stages" ]]; then
    cp "$stages" "$DIR/kwok.yaml"
    return
  fi
  src=$(go mod download -json "sigs.k8s.io/kwok@${KWOK_VERSION}" 2>/dev/null | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')/kustomize/stage
  [[ -d "$src" ]] || die "kwok stages not found: run build-binaries.sh kwok (or set KWOK_STAGES)"
  for f in node/fast/node-initialize.yaml \
           node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
           pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    echo "---"; cat "$src/$f"
  done >"$DIR/kwok.yaml"
}

# --- up ------------------------------------------------------------------------------------
cmd_up() {
  DIR=${1:-$(mktemp -d -t storefleet-cluster.XXXXXX)}
  mkdir -p "$DIR/logs"
  DIR=$(cd "$DIR" && pwd)
  : >"$DIR/pids"; : >"$DIR/ports"
  for b in "kube-apiserver-$K8S_VERSION" "kube-controller-manager-$K8S_VERSION" \
           "kube-scheduler-$K8S_VERSION" "etcd-$ETCD_VERSION" "kwok-$KWOK_VERSION"; do
    [[ -x "$BIN_DIR/$b" ]] || die "missing $BIN_DIR/$b (run build-binaries.sh)"
  done

  local t0=$(date +%s)
  ETCD_PORT=$(free_port); ETCD_PEER_PORT=$(free_port); ETCD_METRICS_PORT=$(free_port)
  API_PORT=$(free_port); KCM_PORT=$(free_port); SCHED_PORT=$(free_port)
  KWOK_PORT=$(free_port)

  gen_pki
  write_kubeconfig "$DIR/admin.kubeconfig" "$DIR/pki/admin.crt" "$DIR/pki/admin.key"
  write_kubeconfig "$DIR/kube-controller-manager.kubeconfig" "$DIR/pki/kube-controller-manager.crt" "$DIR/pki/kube-controller-manager.key"
  write_kubeconfig "$DIR/kube-scheduler.kubeconfig" "$DIR/pki/kube-scheduler.crt" "$DIR/pki/kube-scheduler.key"
  write_kubeconfig "$DIR/kwok.kubeconfig" "$DIR/pki/kwok.crt" "$DIR/pki/kwok.key"
  write_kwok_config

  cat >"$DIR/env" <<EOF
export KUBECONFIG=$DIR/admin.kubeconfig
export STOREFLEET_CLUSTER_DIR=$DIR
API_PORT=$API_PORT
ETCD_PORT=$ETCD_PORT
KCM_PORT=$KCM_PORT
SCHED_PORT=$SCHED_PORT
KWOK_PORT=$KWOK_PORT
EOF

  # etcd: single member, plain http on loopback. --unsafe-no-fsync: throw-away data, much faster.
  start etcd "$BIN_DIR/etcd-$ETCD_VERSION" \
    --name=node0 \
    --data-dir="$DIR/etcd" \
    --listen-client-urls="http://127.0.0.1:$ETCD_PORT" \
    --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster="node0=http://127.0.0.1:$ETCD_PEER_PORT" \
    --listen-metrics-urls="http://127.0.0.1:$ETCD_METRICS_PORT" \
    --auto-compaction-retention=1 \
    --quota-backend-bytes=$((2 * 1024 * 1024 * 1024)) \
    --unsafe-no-fsync=true \
    --log-level=warn
  wait_for etcd 30 curl -fsS "http://127.0.0.1:$ETCD_PORT/health"

  start kube-apiserver "$BIN_DIR/kube-apiserver-$K8S_VERSION" \
    --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
    --bind-address=127.0.0.1 \
    --advertise-address=127.0.0.1 \
    --endpoint-reconciler-type=none \
    --secure-port="$API_PORT" \
    --cert-dir="$DIR/apiserver-certs" \
    --tls-cert-file="$DIR/pki/apiserver.crt" \
    --tls-private-key-file="$DIR/pki/apiserver.key" \
    --client-ca-file="$DIR/pki/ca.crt" \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$DIR/pki/sa.pub" \
    --service-account-signing-key-file="$DIR/pki/sa.key" \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --requestheader-client-ca-file="$DIR/pki/front-proxy-ca.crt" \
    --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User \
    --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --proxy-client-cert-file="$DIR/pki/front-proxy-client.crt" \
    --proxy-client-key-file="$DIR/pki/front-proxy-client.key" \
    --authorization-mode=Node,RBAC \
    --allow-privileged=true \
    --profiling=false
  wait_for kube-apiserver 90 curl -fsS --cacert "$DIR/pki/ca.crt" \
    --cert "$DIR/pki/admin.crt" --key "$DIR/pki/admin.key" "https://127.0.0.1:$API_PORT/readyz"

  start kube-controller-manager "$BIN_DIR/kube-controller-manager-$K8S_VERSION" \
    --kubeconfig="$DIR/kube-controller-manager.kubeconfig" \
    --authentication-kubeconfig="$DIR/kube-controller-manager.kubeconfig" \
    --authorization-kubeconfig="$DIR/kube-controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 \
    --secure-port="$KCM_PORT" \
    --leader-elect=false \
    --use-service-account-credentials=true \
    --service-account-private-key-file="$DIR/pki/sa.key" \
    --root-ca-file="$DIR/pki/ca.crt" \
    --cluster-signing-cert-file="$DIR/pki/ca.crt" \
    --cluster-signing-key-file="$DIR/pki/ca.key" \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --enable-hostpath-provisioner=true \
    --kube-api-qps=100 --kube-api-burst=200 \
    --profiling=false
  start kube-scheduler "$BIN_DIR/kube-scheduler-$K8S_VERSION" \
    --kubeconfig="$DIR/kube-scheduler.kubeconfig" \
    --authentication-kubeconfig="$DIR/kube-scheduler.kubeconfig" \
    --authorization-kubeconfig="$DIR/kube-scheduler.kubeconfig" \
    --bind-address=127.0.0.1 \
    --secure-port="$SCHED_PORT" \
    --leader-elect=false \
    --kube-api-qps=100 --kube-api-burst=200 \
    --profiling=false
  # HOME is pointed at DIR: kwok always loads ~/.kwok/kwok.yaml first if that file exists.
  start kwok env HOME="$DIR" "$BIN_DIR/kwok-$KWOK_VERSION" \
    --kubeconfig="$DIR/kwok.kubeconfig" \
    --config="$DIR/kwok.yaml" \
    --manage-all-nodes=false \
    --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
    --node-lease-duration-seconds=40 \
    --cidr="$POD_CIDR" \
    --node-ip=127.0.0.1 \
    --server-address="127.0.0.1:$KWOK_PORT"
  wait_for kube-controller-manager 60 curl -fsSk "https://127.0.0.1:$KCM_PORT/healthz"
  wait_for kube-scheduler 60 curl -fsSk "https://127.0.0.1:$SCHED_PORT/healthz"
  wait_for kwok 60 curl -fsS "http://127.0.0.1:$KWOK_PORT/healthz"

  export KUBECONFIG=$DIR/admin.kubeconfig
  local nodes=""
  for i in $(seq 0 $((NODE_COUNT - 1))); do
    nodes+="---
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$i
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: \"0\"
  labels:
    kubernetes.io/hostname: kwok-node-$i
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    type: kwok
status:
  allocatable: {cpu: \"8\", memory: 32Gi, pods: \"110\", ephemeral-storage: 100Gi}
  capacity: {cpu: \"8\", memory: 32Gi, pods: \"110\", ephemeral-storage: 100Gi}
"
  done
  printf '%s' "$nodes" | "$KUBECTL" apply -f - >/dev/null
  "$KUBECTL" apply -f - >/dev/null <<'EOF'
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: standard
  annotations:
    storageclass.kubernetes.io/is-default-class: "true"
provisioner: kubernetes.io/host-path
reclaimPolicy: Delete
volumeBindingMode: Immediate
EOF
  wait_for "nodes Ready" 60 "$KUBECTL" wait --for=condition=Ready node --all --timeout=1s
  wait_for "default ServiceAccount" 60 "$KUBECTL" -n default get serviceaccount default
  log "cluster up in $(( $(date +%s) - t0 ))s; DIR=$DIR"
  echo "$DIR"
}

# --- down ----------------------------------------------------------------------------------
cmd_down() {
  DIR=${1:?usage: manual-up.sh down DIR}
  [[ -f "$DIR/pids" ]] || die "no $DIR/pids"
  local name pid
  # SIGTERM every process group started by `up` (pids are group leaders thanks to setsid),
  # give them up to 10s together, then SIGKILL whatever is left.
  while read -r name pid; do
    kill -TERM -- "-$pid" 2>/dev/null || true
  done <"$DIR/pids"
  for _ in $(seq 1 40); do
    local alive=0
    while read -r name pid; do kill -0 "$pid" 2>/dev/null && alive=1; done <"$DIR/pids"
    (( alive )) || break
    sleep 0.25
  done
  while read -r name pid; do
    kill -KILL -- "-$pid" 2>/dev/null && log "killed $name ($pid)" || log "stopped $name ($pid)"
  done <"$DIR/pids"
  : >"$DIR/pids"
}

# --- verify --------------------------------------------------------------------------------
cmd_verify() {
  DIR=${1:?usage: manual-up.sh verify DIR}
  export KUBECONFIG=$DIR/admin.kubeconfig
  local k=$KUBECTL helm=$BIN_DIR/helm-$HELM_VERSION t0
  t0=$(date +%s)
  $k create namespace smoke
  $k -n smoke create deployment web --image=registry.invalid/nginx:1 --replicas=3
  $k -n smoke create job once --image=registry.invalid/busybox:1 -- true
  $k -n smoke apply -f - <<'EOF'
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
EOF
  $k -n smoke rollout status deployment/web --timeout=60s
  $k -n smoke wait --for=condition=Complete job/once --timeout=60s
  $k -n smoke wait --for=jsonpath='{.status.phase}'=Bound pvc/data --timeout=60s
  $k -n smoke get pods,pvc -o wide
  $k get pv
  # helm: tiny chart with one Deployment + one Job
  local chart=$DIR/smoke-chart
  mkdir -p "$chart/templates"
  cat >"$chart/Chart.yaml" <<'EOF'
apiVersion: v2
name: smoke
version: 0.1.0
EOF
  cat >"$chart/templates/all.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata: {name: {{ .Release.Name }}-web}
spec:
  replicas: 2
  selector: {matchLabels: {app: {{ .Release.Name }}-web}}
  template:
    metadata: {labels: {app: {{ .Release.Name }}-web}}
    spec:
      containers: [{name: web, image: registry.invalid/nginx:1}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: {{ .Release.Name }}-migrate}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: migrate, image: registry.invalid/busybox:1, command: ["true"]}]
EOF
  "$helm" install smoke "$chart" -n smoke-helm --create-namespace --wait=watcher --wait-for-jobs --timeout=120s
  [[ "$("$helm" status smoke -n smoke-helm)" == *"STATUS: deployed"* ]] || die "helm release not deployed"
  $k -n smoke-helm get deploy,job,pods
  $k delete namespace smoke smoke-helm --timeout=90s
  ! $k get namespace smoke smoke-helm 2>/dev/null
  log "verify OK in $(( $(date +%s) - t0 ))s"
}

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  down) shift; cmd_down "$@" ;;
  verify) shift; cmd_verify "$@" ;;
  *) echo "usage: $0 up [DIR] | verify DIR | down DIR" >&2; exit 2 ;;
esac
