/* yibao-etl: Chinese labels beside column names, column descriptions folded away. window.yibaoLabels is set
   just before this runs (etl/reporting/datasette_plugin). */
(function () {
  const labels = window.yibaoLabels || {};
  function addLabel(element, name) {
    const zh = labels[name];
    if (!zh || element.querySelector('.yibao-zh')) return;
    const span = document.createElement('span');
    span.className = 'yibao-zh';
    span.lang = 'zh-Hans';
    span.textContent = zh;
    element.appendChild(span);
  }
  document.querySelectorAll('table.rows-and-columns th').forEach(function (th) {
    addLabel(th, th.dataset.column || th.textContent.trim());
  });
  document.querySelectorAll('.facet-info[data-column] .facet-info-name strong').forEach(function (strong) {
    addLabel(strong, strong.closest('.facet-info').dataset.column);
  });
  const dl = document.querySelector('dl.column-descriptions');
  if (dl) {
    const details = document.createElement('details');
    details.className = 'yibao-descriptions';
    const summary = document.createElement('summary');
    summary.textContent = '列说明 · column descriptions (' + dl.querySelectorAll('dt').length + ')';
    dl.parentNode.insertBefore(details, dl);
    details.appendChild(summary);
    details.appendChild(dl);
  }
  const searchLabel = document.querySelector('.search-row label[for="_search"]');
  if (searchLabel) searchLabel.textContent = '检索 · search:';
})();
