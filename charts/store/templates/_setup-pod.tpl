{{/*
The pod template of the wp-cli pods: the setup Job (component "setup"; its hash names the Job, see
job-setup.yaml) and the WP-Cron CronJob (component "cron"). Both take the WordPress files from the
site's image and mount the site's wp-content volume, so wp-cli works on what the site runs.
`include "store.wpCliPodTemplate" (dict "root" $ "component" "setup")`
*/}}
{{- define "store.wpCliPodTemplate" -}}
{{- $root := .root -}}
{{- $setup := eq .component "setup" -}}
{{- $resources := ternary $root.Values.setup.resources $root.Values.cron.resources $setup -}}
metadata:
  labels: {{- include "store.podLabels" . | nindent 4 }}
  annotations:
    checksum/setup: {{ include (print $root.Template.BasePath "/configmap-setup.yaml") $root | sha256sum }}
    {{- if and $setup $root.Values.setup.rerun }}
    storefleet.io/setup-rerun: {{ $root.Values.setup.rerun | quote }}
    {{- end }}
spec:
  restartPolicy: Never
  automountServiceAccountToken: false
  enableServiceLinks: false
  {{- with (include "store.imagePullSecrets" $root) }}{{ . | nindent 2 }}{{- end }}
  securityContext: {{- include "store.wordpressPodSecurityContext" $root | nindent 4 }}
  {{- with (include "store.contentAffinity" $root) }}
  affinity: {{- . | nindent 4 }}
  {{- end }}
  {{- with $root.Values.app.nodeSelector }}
  nodeSelector: {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $root.Values.app.tolerations }}
  tolerations: {{- toYaml . | nindent 4 }}
  {{- end }}
  initContainers:
    # wp-cli needs the WordPress files: take them (and the baked packages) from the site's own image.
    - name: wordpress-files
      image: {{ include "store.image" $root.Values.app.image }}
      imagePullPolicy: {{ $root.Values.app.imagePullPolicy }}
      command: ["bash", "-ec"]
      args:
        - |
          tar --create --directory /usr/src/wordpress --exclude ./wp-content . | tar --extract --directory /var/www/html --no-overwrite-dir --touch
          cp /usr/src/wordpress/wp-config-docker.php /var/www/html/wp-config.php
          {{- if and $setup (eq $root.Values.woocommerce.source "image") }}
          cp {{ $root.Values.woocommerce.imagePackageDir }}/woocommerce.zip {{ $root.Values.woocommerce.imagePackageDir }}/storefront.zip /packages/
          {{- end }}
      securityContext: {{- include "store.containerSecurityContext" $root | nindent 8 }}
      resources: {{- toYaml $root.Values.setup.initResources | nindent 8 }}
      volumeMounts:
        - { name: wordpress, mountPath: /var/www/html }
        {{- if $setup }}
        - { name: packages, mountPath: /packages }
        {{- end }}
  containers:
    - name: {{ .component }}
      image: {{ include "store.image" $root.Values.setup.image }}
      imagePullPolicy: {{ $root.Values.setup.imagePullPolicy }}
      {{- if $setup }}
      command: ["bash", "/opt/storefleet/setup-store.sh"]
      {{- else }}
      # Before the setup Job has installed WordPress there is nothing to run: succeed quietly.
      command: ["sh", "-c", "if wp core is-installed; then exec wp cron event run --due-now; else echo 'WordPress is not installed yet: no events to run'; fi"]
      {{- end }}
      workingDir: /var/www/html
      env:
        {{- include "store.wordpressEnv" $root | nindent 8 }}
        - { name: HOME, value: /tmp }
        - { name: WP_CLI_CACHE_DIR, value: /tmp/wp-cli-cache }
        - { name: PAGER, value: cat }
        {{- if $setup }}
        - { name: SITE_URL, value: {{ include "store.url" $root | quote }} }
        - { name: STORE_TITLE, value: {{ include "store.title" $root | quote }} }
        - name: ADMIN_USER
          valueFrom: { secretKeyRef: { name: {{ $root.Values.existingSecret }}, key: admin-username } }
        - name: ADMIN_PASSWORD
          valueFrom: { secretKeyRef: { name: {{ $root.Values.existingSecret }}, key: admin-password } }
        - name: ADMIN_EMAIL
          valueFrom: { secretKeyRef: { name: {{ $root.Values.existingSecret }}, key: admin-email } }
        - { name: DATABASE_WAIT_SECONDS, value: {{ $root.Values.setup.databaseWaitSeconds | quote }} }
        - { name: WOOCOMMERCE_VERSION, value: {{ $root.Values.woocommerce.version | quote }} }
        - { name: WOOCOMMERCE_PACKAGE, value: {{ include "store.woocommercePackage" $root | quote }} }
        - { name: STOREFRONT_VERSION, value: {{ $root.Values.woocommerce.storefrontVersion | quote }} }
        - { name: STOREFRONT_PACKAGE, value: {{ include "store.storefrontPackage" $root | quote }} }
        - { name: STORE_ADDRESS, value: {{ $root.Values.woocommerce.address.street | quote }} }
        - { name: STORE_CITY, value: {{ $root.Values.woocommerce.address.city | quote }} }
        - { name: STORE_POSTCODE, value: {{ $root.Values.woocommerce.address.postcode | quote }} }
        - { name: STORE_COUNTRY, value: {{ $root.Values.woocommerce.address.country | quote }} }
        - { name: STORE_CURRENCY, value: {{ $root.Values.woocommerce.currency | quote }} }
        - { name: SAMPLE_PRODUCTS, value: {{ ternary "/opt/storefleet/sample-products.csv" "" $root.Values.woocommerce.sampleProducts | quote }} }
        {{- end }}
      securityContext: {{- include "store.containerSecurityContext" $root | nindent 8 }}
      resources: {{- toYaml $resources | nindent 8 }}
      volumeMounts:
        - { name: wordpress, mountPath: /var/www/html }
        - { name: wp-content, mountPath: /var/www/html/wp-content }
        {{- if $setup }}
        - { name: packages, mountPath: /packages, readOnly: true }
        {{- end }}
        - { name: tmp, mountPath: /tmp }
        - { name: setup, mountPath: /opt/storefleet, readOnly: true }
        - { name: setup, mountPath: /usr/local/etc/php/conf.d/zz-storefleet.ini, subPath: {{ printf "php-%s.ini" .component }}, readOnly: true }
        {{- if $root.Values.smtp.enabled }}
        - { name: config, mountPath: /etc/storefleet/smtp.php, subPath: smtp.php, readOnly: true }
        {{- end }}
  volumes:
    - name: wordpress
      emptyDir: { sizeLimit: 256Mi }
    {{- if $setup }}
    - name: packages
      emptyDir: { sizeLimit: 256Mi }
    {{- end }}
    - name: tmp
      emptyDir: { sizeLimit: 256Mi }
    - name: wp-content
      persistentVolumeClaim:
        claimName: {{ include "store.componentName" (dict "root" $root "component" "wp-content") }}
    - name: setup
      configMap:
        name: {{ include "store.componentName" (dict "root" $root "component" "setup") }}
    {{- if $root.Values.smtp.enabled }}
    - name: config
      configMap:
        name: {{ include "store.componentName" (dict "root" $root "component" "config") }}
    {{- end }}
{{- end -}}
