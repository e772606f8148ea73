{{/* The setup Job's pod template; its hash names the Job (see job-setup.yaml). */}}
{{- define "store.setupPodTemplate" -}}
{{- $component := dict "root" . "component" "setup" -}}
metadata:
  labels: {{- include "store.podLabels" $component | nindent 4 }}
  annotations:
    checksum/setup: {{ include (print $.Template.BasePath "/configmap-setup.yaml") . | sha256sum }}
spec:
  restartPolicy: Never
  automountServiceAccountToken: false
  enableServiceLinks: false
  securityContext: {{- include "store.wordpressPodSecurityContext" . | nindent 4 }}
  {{- with (include "store.contentAffinity" .) }}
  affinity: {{- . | nindent 4 }}
  {{- end }}
  {{- with .Values.app.nodeSelector }}
  nodeSelector: {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.app.tolerations }}
  tolerations: {{- toYaml . | nindent 4 }}
  {{- end }}
  initContainers:
    # wp-cli needs the WordPress files: take them (and the baked packages) from the site's own image.
    - name: wordpress-files
      image: {{ .Values.app.image }}
      imagePullPolicy: {{ .Values.app.imagePullPolicy }}
      command: ["bash", "-ec"]
      args:
        - |
          tar --create --directory /usr/src/wordpress --exclude ./wp-content . | tar --extract --directory /var/www/html --no-overwrite-dir --touch
          cp /usr/src/wordpress/wp-config-docker.php /var/www/html/wp-config.php
          {{- if eq .Values.woocommerce.source "image" }}
          cp {{ .Values.woocommerce.imagePackageDir }}/woocommerce.zip {{ .Values.woocommerce.imagePackageDir }}/storefront.zip /packages/
          {{- end }}
      securityContext: {{- include "store.containerSecurityContext" . | nindent 8 }}
      resources: {{- toYaml .Values.setup.initResources | nindent 8 }}
      volumeMounts:
        - { name: wordpress, mountPath: /var/www/html }
        - { name: packages, mountPath: /packages }
  containers:
    - name: setup
      image: {{ .Values.setup.image }}
      imagePullPolicy: {{ .Values.setup.imagePullPolicy }}
      command: ["bash", "/opt/storefleet/setup-store.sh"]
      workingDir: /var/www/html
      env:
        {{- include "store.wordpressEnv" . | nindent 8 }}
        - { name: HOME, value: /tmp }
        - { name: WP_CLI_CACHE_DIR, value: /tmp/wp-cli-cache }
        - { name: PAGER, value: cat }
        - { name: SITE_URL, value: {{ include "store.url" . | quote }} }
        - { name: STORE_TITLE, value: {{ include "store.title" . | quote }} }
        - name: ADMIN_USER
          valueFrom: { secretKeyRef: { name: {{ .Values.existingSecret }}, key: admin-username } }
        - name: ADMIN_PASSWORD
          valueFrom: { secretKeyRef: { name: {{ .Values.existingSecret }}, key: admin-password } }
        - name: ADMIN_EMAIL
          valueFrom: { secretKeyRef: { name: {{ .Values.existingSecret }}, key: admin-email } }
        - { name: DATABASE_WAIT_SECONDS, value: {{ .Values.setup.databaseWaitSeconds | quote }} }
        - { name: WOOCOMMERCE_VERSION, value: {{ .Values.woocommerce.version | quote }} }
        - { name: WOOCOMMERCE_PACKAGE, value: {{ include "store.woocommercePackage" . | quote }} }
        - { name: STOREFRONT_VERSION, value: {{ .Values.woocommerce.storefrontVersion | quote }} }
        - { name: STOREFRONT_PACKAGE, value: {{ include "store.storefrontPackage" . | quote }} }
        - { name: STORE_ADDRESS, value: {{ .Values.woocommerce.address.street | quote }} }
        - { name: STORE_CITY, value: {{ .Values.woocommerce.address.city | quote }} }
        - { name: STORE_POSTCODE, value: {{ .Values.woocommerce.address.postcode | quote }} }
        - { name: STORE_COUNTRY, value: {{ .Values.woocommerce.address.country | quote }} }
        - { name: STORE_CURRENCY, value: {{ .Values.woocommerce.currency | quote }} }
        - { name: SAMPLE_PRODUCTS, value: {{ ternary "/opt/storefleet/sample-products.csv" "" .Values.woocommerce.sampleProducts | quote }} }
      securityContext: {{- include "store.containerSecurityContext" . | nindent 8 }}
      resources: {{- toYaml .Values.setup.resources | nindent 8 }}
      volumeMounts:
        - { name: wordpress, mountPath: /var/www/html }
        - { name: wp-content, mountPath: /var/www/html/wp-content }
        - { name: packages, mountPath: /packages, readOnly: true }
        - { name: tmp, mountPath: /tmp }
        - { name: setup, mountPath: /opt/storefleet, readOnly: true }
        - { name: setup, mountPath: /usr/local/etc/php/conf.d/zz-storefleet.ini, subPath: php.ini, readOnly: true }
  volumes:
    - name: wordpress
      emptyDir: {}
    - name: packages
      emptyDir: {}
    - name: tmp
      emptyDir: {}
    - name: wp-content
      persistentVolumeClaim:
        claimName: {{ include "store.componentName" (dict "root" . "component" "wp-content") }}
    - name: setup
      configMap:
        name: {{ include "store.componentName" (dict "root" . "component" "setup") }}
{{- end -}}
