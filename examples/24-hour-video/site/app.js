/*
 * 24-Hour Video's page: reads the API's address from config.json (written
 * by deploy.mjs next to this file), lists the transcoded videos through
 * GET /videos, plays them, and uploads a file with a presigned POST from
 * GET /upload-policy, showing the upload's progress.
 */
(function () {
  'use strict';

  var state = { apiUrl: null, videos: [], listed: null, current: null, pending: null, timer: null };
  var $ = function (id) { return document.getElementById(id); };

  function formatDuration(seconds) {
    if (typeof seconds !== 'number' || !isFinite(seconds)) return '';
    var s = Math.round(seconds);
    return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
  }

  function formatSize(bytes) {
    if (bytes >= 1048576) return (bytes / 1048576).toFixed(1) + ' MB';
    return Math.max(1, Math.round(bytes / 1024)) + ' KB';
  }

  function describe(rendition) {
    var m = rendition.metadata || {};
    var parts = [];
    if (m.width && m.height) parts.push(m.width + '×' + m.height);
    if (m.duration !== undefined) parts.push(formatDuration(m.duration));
    if (m.videoCodec) parts.push(m.videoCodec + (m.audioCodec ? ' / ' + m.audioCodec : ''));
    parts.push(formatSize(rendition.size));
    return parts.join(' · ');
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') node.textContent = attrs[k];
      else if (k === 'className') node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { node.appendChild(c); });
    return node;
  }

  function preferred(video) {
    return video.renditions.find(function (r) { return r.label === 'web-720p'; }) || video.renditions[0];
  }

  function play(video, rendition) {
    state.current = { id: video.id, label: rendition.label };
    var player = $('player');
    player.src = rendition.url;
    player.dataset.retries = '0';
    player.dataset.videoId = video.id;
    player.dataset.rendition = rendition.label;
    if (video.thumbnail) player.poster = video.thumbnail;
    $('now-playing').textContent = video.title;
    $('now-playing-details').textContent = rendition.label + ' · ' + describe(rendition);
    var buttons = $('rendition-buttons');
    buttons.textContent = '';
    video.renditions.forEach(function (r) {
      var b = el('button', { type: 'button', className: 'btn ' + (r.label === rendition.label ? 'btn-primary' : 'btn-outline-primary'), text: r.label, 'data-rendition': r.label });
      b.addEventListener('click', function () { play(video, r); });
      buttons.appendChild(b);
    });
    document.querySelectorAll('.video-item').forEach(function (item) {
      item.classList.toggle('active', item.dataset.videoId === video.id);
    });
    var started = player.play();
    if (started && started.catch) started.catch(function () { /* autoplay refused: the controls remain */ });
  }

  function render() {
    var list = $('video-list');
    list.textContent = '';
    $('video-count').textContent = state.videos.length ? '(' + state.videos.length + ')' : '';
    $('empty-list').hidden = state.videos.length > 0;
    state.videos.forEach(function (video) {
      var main = preferred(video);
      var thumb = video.thumbnail
        ? el('img', { className: 'card-img-top thumb', src: video.thumbnail, alt: 'Thumbnail of ' + video.title, loading: 'lazy' })
        : el('div', { className: 'card-img-top thumb-missing', text: 'no thumbnail' });
      var playButton = el('button', { type: 'button', className: 'btn btn-sm btn-primary play', text: '▶ Play' });
      var card = el('div', { className: 'card h-100 video-item', 'data-video-id': video.id, 'data-renditions': String(video.renditions.length) }, [
        thumb,
        el('div', { className: 'card-body p-2' }, [
          el('h6', { className: 'card-title mb-1', text: video.title }),
          el('p', { className: 'card-text small text-muted mb-2 details', text: describe(main) }),
          playButton,
        ]),
      ]);
      playButton.addEventListener('click', function () { play(video, main); });
      thumb.addEventListener('click', function () { play(video, main); });
      if (state.current && state.current.id === video.id) card.classList.add('active');
      list.appendChild(el('div', { className: 'col-sm-6 col-md-4 col-lg-3 mb-3' }, [card]));
    });
  }

  function refresh() {
    return fetch(state.apiUrl + '/videos', { cache: 'no-store' })
      .then(function (r) {
        if (!r.ok) throw new Error('GET /videos answered ' + r.status);
        return r.json();
      })
      .then(function (body) {
        var text = JSON.stringify(body.videos || []);
        $('api-status').textContent = 'API: ' + state.apiUrl;
        // Re-render only on change, so that a click never lands on a card being replaced.
        if (text !== state.listed) {
          state.listed = text;
          state.videos = body.videos || [];
          render();
        }
        if (state.pending && state.videos.some(function (v) { return v.id === state.pending; })) {
          $('upload-status').textContent = 'Transcoded: ' + state.pending;
          state.pending = null;
        }
      })
      .catch(function (err) {
        $('api-status').textContent = String(err.message || err);
      });
  }

  function setProgress(percent, stateName) {
    var bar = $('upload-progress');
    var p = Math.max(0, Math.min(100, Math.round(percent)));
    bar.style.width = p + '%';
    bar.setAttribute('aria-valuenow', String(p));
    bar.textContent = p + '%';
    bar.dataset.state = stateName;
    bar.classList.toggle('bg-success', stateName === 'done');
    bar.classList.toggle('bg-danger', stateName === 'failed');
    bar.classList.toggle('progress-bar-striped', stateName === 'uploading');
    bar.classList.toggle('progress-bar-animated', stateName === 'uploading');
  }

  function upload(file) {
    var type = file.type && file.type.indexOf('video/') === 0 ? file.type : 'video/mp4';
    var query = '?filename=' + encodeURIComponent(file.name) + '&contentType=' + encodeURIComponent(type);
    $('upload-button').disabled = true;
    setProgress(0, 'uploading');
    $('upload-status').textContent = 'Asking for an upload policy…';
    return fetch(state.apiUrl + '/upload-policy' + query, { cache: 'no-store' })
      .then(function (r) {
        return r.json().then(function (body) {
          if (!r.ok) throw new Error(body.message || 'GET /upload-policy answered ' + r.status);
          return body;
        });
      })
      .then(function (policy) {
        return new Promise(function (resolve, reject) {
          var form = new FormData();
          Object.keys(policy.fields).forEach(function (k) { form.append(k, policy.fields[k]); });
          form.append('file', file); // S3 ignores every field after the file
          var xhr = new XMLHttpRequest();
          xhr.open('POST', policy.url);
          xhr.upload.addEventListener('progress', function (e) {
            if (e.lengthComputable) setProgress((100 * e.loaded) / e.total, 'uploading');
          });
          xhr.addEventListener('load', function () {
            if (xhr.status >= 200 && xhr.status < 300) resolve(policy.key);
            else reject(new Error('the upload failed: HTTP ' + xhr.status + ' ' + (/<Message>([^<]*)/.exec(xhr.responseText) || [])[1]));
          });
          xhr.addEventListener('error', function () { reject(new Error('the upload failed: network error')); });
          $('upload-status').textContent = 'Uploading ' + file.name + '…';
          xhr.send(form);
        });
      })
      .then(function (key) {
        setProgress(100, 'done');
        state.pending = key.replace(/\.[^./]*$/, '');
        $('upload-status').textContent = 'Uploaded as ' + key + '; transcoding…';
        $('upload-form').reset();
      })
      .catch(function (err) {
        setProgress(100, 'failed');
        $('upload-status').textContent = String(err.message || err);
      })
      .then(function () { $('upload-button').disabled = false; });
  }

  // A rendition is listed as soon as it is written, and made public a moment later by
  // set-permissions: a player that got 403 tries again a few times.
  $('player').addEventListener('error', function () {
    var player = $('player');
    var tries = Number(player.dataset.retries || 0);
    if (!player.src || tries >= 10) return;
    player.dataset.retries = String(tries + 1);
    setTimeout(function () {
      player.load();
      var p = player.play();
      if (p && p.catch) p.catch(function () {});
    }, 1000);
  });

  $('upload-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var file = $('file').files[0];
    if (file) upload(file);
  });

  fetch('config.json', { cache: 'no-store' })
    .then(function (r) { return r.json(); })
    .then(function (config) {
      // Served as <bucket>.s3-website.localhost, the page calls <api>.execute-api.localhost; served by
      // path (where wildcard localhost names do not resolve), it calls the API by path too.
      var byPath = config.apiPathUrl && !/\.localhost$/.test(location.hostname);
      state.apiUrl = (byPath ? config.apiPathUrl : config.apiUrl).replace(/\/+$/, '');
      document.body.dataset.ready = 'true';
      refresh();
      state.timer = setInterval(refresh, 3000);
    })
    .catch(function (err) { $('api-status').textContent = 'no config.json: ' + err.message; });
})();
